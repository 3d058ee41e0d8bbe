"""Placeholder until the service lands."""
from __future__ import annotations

import gradio as gr


def build(services, sess):
    gr.Markdown("该功能尚未就绪。")
    return None
