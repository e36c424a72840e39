import streamlit as st

st.title("outcomes")
st.info("Coming soon.")
