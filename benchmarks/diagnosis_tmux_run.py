"""A learner's run through the bundled checks in tmux, typing the usual wrong numbers.

    python benchmarks/diagnosis_tmux_run.py [OUT.json]

Opens each bundled lesson in a 120×40 tmux window (NN_TUI_HOME in a temp folder), steps with →
to each check of RUN, types each number and Enter, and prints the Check box as the screen shows
it (the answers and boxes also go to OUT.json). The run behind /work/notes/diagnosis-report.md.
"""

import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
RUN = {
 "single-neuron": {5: ["4.5", "3"], 8: ["2", "7"], 14: ["1.5"]},
 "activations": {4: ["5"], 6: ["58", "63"], 9: ["-11", "0"], 13: ["0.8808", "-2"], 19: ["0.4621", "0.75"]},
 "fruit": {3: ["0.7", "0.71"], 5: ["0.7958", "1.16"], 8: ["-1.2567", "0.2042", "-0.2"], 10: ["-0.2042", "-0.168"]},
 "layers": {4: ["1.1"], 8: ["1.04", "0.677"], 10: ["1"], 12: ["9"]},
 "learning-rate": {5: ["-1.7", "17", "6.8", "0"], 7: ["-5.1", "1.7"]},
 "losses": {6: ["0.14"], 8: ["3", "4"], 10: ["0.14"], 13: ["-0.2284", "0.6852"], 16: ["1.6094"], 20: ["0.3567"]},
 "psa-hidden-layer": {3: ["0.7311"], 5: ["-1", "0.325"], 10: ["0.325", "0.2435"], 13: ["-0.1278", "0.028", "-0.0713"]},
 "psa-softmax": {5: ["-0.6931", "0.5"], 9: ["-0.1571", "0.3143", "2.2"]},
 "xor": {3: ["1", "0.679"]},
}
def sh(*a): return subprocess.run(["tmux",*a],capture_output=True,text=True)
def screen(s): return sh("capture-pane","-p","-t",s).stdout
def wait(s,text,t=60):
    d=time.monotonic()+t
    while time.monotonic()<d:
        sc=screen(s)
        if text in sc: return sc
        time.sleep(0.1)
    raise SystemExit(f"never {text!r}:\n{screen(s)}")
def check_box(sc):
    lines=sc.splitlines()
    # the Check box: from the line with 'Check' border title to its bottom border
    start=[i for i,l in enumerate(lines) if "Check" in l and ("─" in l or "━" in l)]
    if not start: return sc
    i=start[-1]; out=[]
    for l in lines[i+1:]:
        if set(l.strip()) <= set("─━╰╯└┘┗┛ ") and l.strip(): break
        out.append(l.strip(" │┃"))
    return "\n".join(x.rstrip() for x in out if x.strip())
home=tempfile.mkdtemp(prefix="nn-tui-diag-")
log=[]
for lesson, checks in RUN.items():
    s=f"diag-{uuid.uuid4().hex[:6]}"
    cmd=(f"cd /tmp && env -u COLUMNS -u LINES NN_TUI_HOME={home} PYTHONPATH={ROOT} TERM=xterm-256color "
         f"{sys.executable} -m nn_tui {ROOT}/lessons/{lesson}.toml; sleep 5")
    sh("new-session","-d","-s",s,"-x","120","-y","40","sh","-c",cmd)
    sc=wait(s,"step 1 of ")
    total=int(re.search(r"step 1 of (\d+)",sc).group(1))
    at=1
    for step in sorted(checks):
        while at<step:
            sh("send-keys","-t",s,"Right"); at+=1
            wait(s,f"step {at} of {total}")
        time.sleep(0.3)
        for value in checks[step]:
            before=check_box(screen(s))
            sh("send-keys","-t",s,"-l","--",value); sh("send-keys","-t",s,"Enter")
            d=time.monotonic()+15
            while time.monotonic()<d:
                time.sleep(0.15)
                box=check_box(screen(s))
                if box!=before and ("✗" in box or "Correct" in box) and "▊"+value not in box:
                    break
            time.sleep(0.3); box=check_box(screen(s))
            log.append((lesson,step,value,box))
            print(f"--- {lesson} step {step}: typed {value}\n{box}\n",flush=True)
    sh("send-keys","-t",s,"Escape"); sh("send-keys","-t",s,"q"); time.sleep(0.5)
    sh("kill-session","-t",s)
if len(sys.argv) > 1:
    Path(sys.argv[1]).write_text(json.dumps(log, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"progress: NN_TUI_HOME={home} nn-tui progress")
