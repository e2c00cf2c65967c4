"""Widgets of the lesson screen other than the six panes (those live in ``nn_tui.ui.panes``)."""
