"""Turning trace numbers into text a person reads: symbols, numbers, worked arithmetic.

Pure functions shared by the command line and the TUI panes; nothing here computes new math.
"""
