"""The Gradio app: one module per tab, built by a function that receives the services."""
