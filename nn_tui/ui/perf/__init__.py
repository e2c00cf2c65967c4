"""Where the tutor works around Textual's defaults for speed, all in one folder.

Each piece was measured with ``benchmarks/tui.py`` (120×40, PSA lesson) and says which figure it
buys; on a Textual upgrade, rerun the benchmark with a piece removed (use the stock widget or
behaviour) and keep it only if the figure still needs it.

- ``screen.FirstResumeStyledScreen``: no restyle of a whole screen just pushed, which its mount
  has just styled (CPU of opening a lesson in a Pilot app at 120×40: 112–116 ms → 100 ms);
- ``screen.QuietFocusScreen``: no whole-screen repaint when the focus moves (step latency at
  question steps: it halved their cost);
- ``screen.freeze_gc_after_paint``: the long-lived objects out of the full garbage collection
  (step latency max/p95: the 40-70 ms pauses);
- ``screen.breakpoints_from_start``: a screen starts with the breakpoint classes of the
  terminal's size, which Textual sets only at its first Resize, after a first layout without
  them (opening a lesson: the pane grid laid out as one column, every pane rendered at a width
  it never showed, then the whole screen restyled: 10-20 % of the CPU of opening a lesson,
  measured per open in a Pilot app at 120×40);
- ``screen.set_classes_shallow``: a layout class change restyles one container (only when its
  rules for the new classes differ, known once met) and those of its children a rule naming the
  class can select, not everything below (step latency: a few hundred ms per step with the
  Markdown restyled; restyling the grid and every pane at each change of step kind still cost
  ~0.8 ms of the step p50, ~1 ms of the step latency at 86aa515's figures);
- ``header.HeaderBar``: a one-line top bar that never asks for a layout pass (step latency; UI-live
  training epochs/s, the status changes a few times a second);
- ``keybar.KeyBar``: one widget for the key line instead of ``Footer``'s widget per key (step
  latency at questions, where keys are enabled and disabled; its rebuild keeps the keys' order
  and how they are displayed, worked out once); in the picker too (CPU of opening it in a Pilot
  app at 120×40: 82–88 → 58–73 ms; of a lesson opened from the command line: 107–114 → 99–102 ms);
- ``pane_body.LineBody``: pane content pre-rendered per width, painted by the line API, the
  changed rows repainted only, the next step's lines rendered ahead (step p50/p95, nudge p95);
  a body whose number of lines changes updates its own scrollbar instead of asking for a layout
  pass of the screen (``_set_line_count``: layout passes over PSA's 19 steps at 120×40 31 → 23,
  paints 47 → 39; benchmarks/tui.py's step latency within its noise, p50 10.4–11.3 ms before,
  10.7–11.3 ms after).
"""
