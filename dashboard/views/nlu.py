import streamlit as st

st.title("nlu")
st.info("Coming soon.")
