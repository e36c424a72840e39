import streamlit as st

st.title("clusters")
st.info("Coming soon.")
