import streamlit as st

st.title("comparisons")
st.info("Coming soon.")
