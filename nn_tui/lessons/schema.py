"""The lesson file's schema, declared once: every table, its keys and what they mean.

The loader's allowed-key sets (``keys``, ``step_keys``) and the reference tables of
docs/lesson-format.md (``markdown``; tests/test_lessons_schema.py checks that the document
holds each one as generated) both come from here. The loader still checks each value itself
(types, ranges, cross-references), with file:line messages through ``locate.py``: a validation
library would have to be mapped back to those lines and would duplicate the checks that need
the whole lesson (targets that suit the loss, variants that exist).

Print the tables: ``python -m nn_tui.lessons.schema``.
"""

from __future__ import annotations

from dataclasses import dataclass

from nn_tui.lessons.model import StepKind

# The version of the lesson format this nn-tui reads (``[lesson] format_version``).
FORMAT_VERSION = 1


@dataclass(frozen=True, init=False)
class Key:
    """One row of a table: the key(s) it documents, the cells after the key cell (as the
    document's columns: type, required or default, meaning) and, when the key cell is written
    otherwise than the names in backticks, how it is written (``batch = true``)."""

    names: tuple[str, ...]
    cells: tuple[str, ...]
    shown: str

    def __init__(self, names: str | tuple[str, ...], *cells: str, shown: str = "") -> None:
        object.__setattr__(self, "names", (names,) if isinstance(names, str) else names)
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "shown", shown)

    @property
    def key_cell(self) -> str:
        return self.shown or ", ".join(f"`{name}`" for name in self.names)


@dataclass(frozen=True)
class Table:
    """A table of the lesson file (or a part of a step's keys): its title, the document's
    column headings after "key", and its rows."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[Key, ...]

    @property
    def keys(self) -> frozenset[str]:
        """Every key the table allows."""
        return frozenset(name for row in self.rows for name in row.names)

    def markdown(self) -> str:
        """The table as docs/lesson-format.md writes it."""
        lines = ["| " + " | ".join(("key",) + self.columns) + " |",
                 "|" + "---|" * (len(self.columns) + 1)]
        lines += [_row((row.key_cell,) + row.cells) for row in self.rows]
        return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    """A Markdown table row; an empty cell is written "| |"."""
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


@dataclass(frozen=True)
class KindEntry:
    """A step kind: the keys only it has (beyond every step's), and what it does."""

    kind: StepKind
    extra: tuple[str, ...]
    does: str


LESSON = Table('[lesson]', ('type', 'required', 'meaning'), (
    Key('id',
        'text',
        'yes',
        ('lowercase letters, digits and single dashes (`psa-hidden-layer`); at most 80 '
         'characters')),
    Key('title',
        'text',
        'yes',
        'shown in the picker and above the lesson; at most 120 characters'),
    Key('summary',
        'text',
        'no',
        'one or two sentences for the picker; at most 1000 characters'),
    Key('order',
        'whole number 0–10000',
        'no',
        'position in the picker, lower first; lessons without one come after, by title'),
    Key('format_version',
        'whole number',
        'no',
        ('the version of this file format the lesson is written in: `1`, the only one so far '
         '(the default); a file of another version is refused with a message naming it')),
    Key('sources',
        'list of texts',
        'no',
        ('what the lesson follows, each a citation as you would write it for a reader (an '
         "article's title and where and when it was published); at most 20, each at most 500 "
         'characters; listed under "Sources" in `nn-tui export --markdown`')),
))

NETWORK = Table('[network]', ('type', 'required', 'meaning'), (
    Key('inputs',
        'list of names',
        'yes',
        'one name per input; their count is the input size'),
    Key('outputs',
        'list of names',
        'yes',
        "one name per output; must equal the last layer's `units`"),
    Key('loss',
        'text',
        'yes',
        '`mse`, `half_sse`, `sse`, `bce`, `cross_entropy` or `none` (below)'),
    Key('learning_rate',
        'number > 0',
        'yes',
        'η of every gradient step'),
    Key('reduction',
        'text',
        'no',
        '`mean` (default) or `sum`: how per-row losses combine over several rows'),
    Key('seed',
        'whole number 0–2³²−1',
        'no',
        'draws the weights a layer does not give (default 0)'),
    Key('layers',
        'array of tables',
        'yes',
        'written as `[[network.layers]]`, input side first'),
))

LAYER = Table('[[network.layers]]', ('type', 'required', 'meaning'), (
    Key('units',
        'whole number 1–64',
        'yes',
        'neurons in the layer'),
    Key('activation',
        'text',
        'yes',
        '`identity`, `relu`, `leaky_relu`, `sigmoid`, `softplus`, `tanh` or `softmax`'),
    Key('weights',
        'matrix',
        'no',
        '*units* rows of *fan-in* numbers; row i = the weights of neuron i'),
    Key('bias',
        'list, or a number',
        'no',
        'one number per unit; with `shared_bias = true` one number for the whole layer'),
    Key('use_bias',
        'true/false',
        'no',
        ("`false`: the layer has no bias at all, z = W·a (Keras' `use_bias`, PyTorch's "
         '`bias=False`); default `true`')),
    Key('shared_bias',
        'true/false',
        'no',
        '`true`: one bias, added to every unit (`bias = 0.35`); default `false`'),
    Key('freeze',
        'list',
        'no',
        ('`["weights"]`, `["bias"]` or `["weights", "bias"]`: these keep their values in '
         'updates and training')),
    Key('negative_slope',
        'number',
        'no',
        '`leaky_relu` only: the slope below 0 (default 0.01)'),
))

DATA = Table('[data]', ('type', 'required', 'meaning'), (
    Key('rows',
        'list of rows',
        '`rows` or `csv`',
        ('each row: the input values, then the target values (inputs + outputs numbers); with '
         '`loss = "none"` the `dL_dy` values instead of targets')),
    Key('csv',
        'text',
        '`rows` or `csv`',
        ('a CSV file holding the rows, as a path relative to the lesson file (`"psa.csv"`, '
         '`"../data/psa.csv"`) or an absolute path')),
    Key('inputs',
        'list of names',
        'with `csv` (default: `network.inputs`)',
        'the CSV columns holding the inputs, one per network input, in order'),
    Key('targets',
        'list of names',
        'with `csv` (default: `network.outputs`)',
        ('the CSV columns holding the targets (with `loss = "none"`, the `dL_dy` values), one '
         'per output, in order')),
    Key('focus',
        'whole number',
        'no',
        'the row the step-by-step arithmetic follows (default 0)'),
))

TRAINING = Table('[training]', ('type', 'default', 'meaning'), (
    Key('epochs',
        'whole number 1–100000',
        '200',
        'length of a training run'),
    Key('batch_size',
        'whole number',
        'whole data set',
        ('rows per gradient step; mini-batches are reshuffled each epoch (unless `shuffle = '
         'false`)')),
    Key('shuffle_seed',
        'whole number 0–2³²−1',
        '0',
        'seeds the shuffling, so runs repeat exactly'),
    Key('shuffle',
        'true/false',
        'true',
        '`false`: mini-batches take the rows in file order, every epoch'),
))

VARIANT = Table('[[variants]]', ('type', 'meaning'), (
    Key('id',
        'text',
        ('required; lowercase letters, digits and underscores, starting with a letter; not '
         '`main` (the name of the `[network]` itself)')),
    Key('label',
        'text',
        'shown beside its loss curve and in the step header (default: the id)'),
    Key(('learning_rate', 'loss', 'reduction', 'seed'),
        '',
        'as in `[network]`'),
    Key('epochs',
        'whole number',
        "this variant's run length when a `train` step lists it"),
    Key('layers',
        'array of tables',
        ('replaces **all** the layers: `[[variants.layers]]` right after the variant, or an '
         'inline list `layers = [{ units = 1, activation = "sigmoid" }, ...]`')),
))

STEP_COMMON = Table('every step', ('meaning',), (
    Key('kind',
        ('required: `text`, `forward`, `loss`, `backward`, `update`, `check`, `train` or '
         '`explore`')),
    Key('title',
        'heading of the step (at most 120 characters)'),
    Key('text',
        'Markdown shown in the Lesson pane'),
    Key('use',
        ('switch to a variant\'s fresh network from this step on (`"main"` goes back to '
         '`[network]`)')),
))

STEP_DATA = Table('data of a step', ('meaning',), (
    Key('row',
        'trace data row N (0-based)'),
    Key('batch',
        ('trace all rows at once: the loss is the mean (or sum) over them, and gradients are '
         'of that'),
        shown='`batch = true`'),
    Key(('x', 'y'),
        ('trace a sample that is not in the data: `x` has one value per input, `y` one per '
         'output; both are needed')),
))

KINDS = (
    KindEntry(StepKind.TEXT, (),
              'prose only; reveals nothing new'),
    KindEntry(StepKind.FORWARD, ('layer',),
              ('reveals the forward arithmetic of layers 0…`layer` (all layers without '
               '`layer`) and highlights that layer')),
    KindEntry(StepKind.LOSS, (),
              'reveals the whole forward pass and the loss'),
    KindEntry(StepKind.BACKWARD, ('layer',),
              ('reveals the forward pass, the loss and the gradients from the output layer '
               'back to `layer` (all without `layer`)')),
    KindEntry(StepKind.UPDATE, ('apply',),
              ('reveals everything and the gradient step old → new; unless `apply = false`, '
               'the following steps use the new weights')),
    KindEntry(StepKind.CHECK, ('prompt', 'answer', 'tolerance', 'hints', 'explanation', 'choices',
                               'mistakes'),
              'asks a question (below); reveals nothing new'),
    KindEntry(StepKind.TRAIN, ('epochs', 'variants'),
              ('trains (below); the learner starts, pauses and single-steps it (space, .) and '
               'watches the Loss pane')),
    KindEntry(StepKind.EXPLORE, ('prompt', 'goal', 'editable', 'hints', 'explanation'),
              ('sets a task the learner solves by changing numbers (below); reveals the '
               'forward pass and the loss')),
)

CHECK = Table('check step', ('meaning',), (
    Key('prompt',
        'required: the question (plain text, in the Check box)'),
    Key('answer',
        ('required: a number, or an [expression](#the-expression-language) over the trace; '
         'evaluated at this step')),
    Key('tolerance',
        ('how far a typed answer may be from the exact one (absolute, > 0); default: 5 units '
         "of the answer's 4th significant digit (below)")),
    Key('hints',
        'list of up to 10 texts, revealed one at a time'),
    Key('explanation',
        'shown after a right answer or when the answer is revealed'),
    Key('choices',
        ('2–8 tables `{ text = "...", value = number }` with different values; makes the '
         'question multiple-choice')),
    Key('mistakes',
        ('1–10 tables `{ answer = "expr", feedback = "...", kind = "name" }`: wrong numbers '
         'you expect, and what to say to them '
         '([below](#mistakes-what-a-wrong-number-is-told)); not with `choices`')),
))

MISTAKE = Table('check.mistakes', ('meaning',), (
    Key('answer',
        ('required: the number the mistake gives, in the same expression language as the '
         "check's `answer` (checked the same way: `nn-tui check` reports a path that does not "
         'resolve, with its file and line, and a mistake that the check would grade right)')),
    Key('feedback',
        ('required: what the learner is told (plain text, shown as written: `[bold]` stays '
         '`[bold]`)')),
    Key('kind',
        ('optional: the name recorded in the progress file (lowercase letters, digits, `_`; '
         'different for each mistake of the check); default `teacher_1`, `teacher_2`, … by '
         'position')),
))

EXPLORE = Table('explore step', ('meaning',), (
    Key('prompt',
        "required: the task (plain text, shown under the step's text)"),
    Key('goal',
        ('required: a condition over the trace of the edited network, in the [expression '
         'language](#the-expression-language): a comparison such as `"output[0] > 0.5"`, '
         '`"loss < 0.01"` or `"after.loss < loss"`; `min(a > 1, b < 2)` for "all of these", '
         '`max(...)` for "any of these"')),
    Key('editable',
        ('list of [edit paths](#edit-paths-what-a-learner-may-change) the learner may change; '
         'without it, every weight, bias, input, target and η of the step')),
    Key('hints',
        'list of up to 10 texts, revealed one at a time'),
    Key('explanation',
        'shown once the goal is reached'),
))

TRAIN = Table('train step', ('meaning',), (
    Key('variants',
        ('list of ids (`"main"` included) to train side by side, each from **its own fresh '
         'network**')),
    Key('epochs',
        'run length for this step'),
))


# Not in the reference tables (documented in the text of check steps).
CHOICE = Table("check.choices", ("meaning",), (
    Key("text", "what the learner reads"),
    Key("value", "the number the choice stands for; the one the answer matches is right"),
))

TOP_KEYS = frozenset({"lesson", "network", "data", "training", "steps", "variants"})

# Every table whose rows are documented in docs/lesson-format.md, in the document's order.
DOCUMENTED = (LESSON, NETWORK, LAYER, DATA, TRAINING, VARIANT, STEP_COMMON, STEP_DATA, CHECK,
              MISTAKE, EXPLORE, TRAIN)

# The tables of kinds' own keys, where the document has one.
KIND_TABLES = {StepKind.CHECK: CHECK, StepKind.EXPLORE: EXPLORE, StepKind.TRAIN: TRAIN}

# Kinds that trace no data of their own choosing (a run trains on every row).
NO_DATA_KINDS = frozenset({StepKind.TRAIN})


def step_keys(kind: StepKind) -> frozenset[str]:
    """The keys a step of ``kind`` may have."""
    entry = next(entry for entry in KINDS if entry.kind == kind)
    keys = STEP_COMMON.keys | frozenset(entry.extra)
    if kind not in NO_DATA_KINDS:
        keys |= STEP_DATA.keys
    return keys


def kinds_markdown() -> str:
    """The table of step kinds as docs/lesson-format.md writes it."""
    lines = ["| kind | extra keys | what it does |", "|---|---|---|"]
    lines += [_row((f"`{entry.kind.value}`", ", ".join(f"`{key}`" for key in entry.extra),
                    entry.does)) for entry in KINDS]
    return "\n".join(lines)


def markdown() -> str:
    """Every reference table, each under its title."""
    parts = [f"{table.title}\n\n{table.markdown()}" for table in DOCUMENTED]
    return "\n\n".join(parts + [f"step kinds\n\n{kinds_markdown()}"])


if __name__ == "__main__":
    print(markdown())
