"""The Textual tutor: the app, its screens, panes and widgets.

Nothing here is imported by the engine or the lesson packages; ``nn_tui.cli`` imports
``nn_tui.ui.app`` lazily so the command-line tools never pay for Textual.
"""
