#!/usr/bin/env python3
"""report_browser.py: opens a page in headless Chromium through the DevTools protocol (over
--remote-debugging-pipe, so no port and no websocket library) and prints, one per line, what a
test needs to judge it:
  request URL          every request the page made other than loading the page itself
  console TEXT         every console message, log entry and uncaught exception
  hover CHART I | TITLE | BODY | FOOTER
                       for each element of the first dataset of each Chart.js chart: the mouse
                       is moved onto the element (its pixel position asked of Chart.js), and
                       the tooltip Chart.js then shows is read back
  eval NAME VALUE      the value of a JavaScript expression, JSON-encoded
The pointer is a real input event, so the tooltip is the one hit-testing picks, as a hover would.

  usage: report_browser.py CHROMIUM PAGE PROFILE_DIR [NAME=EXPRESSION ...]
"""

import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():  # in the child: Chromium reads commands on fd 3, writes replies on fd 4
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)  # above 4, so neither clobbers
            os.dup2(r, 3)  # dup2 leaves the copy inheritable
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--window-size=1280,900", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for e in self.events:
                if e.get("method") == method:
                    return e
            self.events.append(self._read())
        raise RuntimeError("no " + method)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        self.proc.wait(timeout=30)


FRAME = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def hover_chart(br, cid):
    n = br.eval("Chart.getChart('%s').getDatasetMeta(0).data.length" % cid)
    out = []
    for i in range(n):
        # Scroll the chart into view, then take the element's centre in viewport pixels.
        pos = br.eval("""(() => { const c = document.getElementById('%s');
            c.scrollIntoView({block: 'center'});
            const ch = Chart.getChart(c), el = ch.getDatasetMeta(0).data[%d], r = c.getBoundingClientRect();
            const y = el.base === undefined ? el.y : (el.y + el.base) / 2;
            return [r.left + el.x, r.top + y, ch.data.datasets[0].data[%d] === null]; })()"""
                      % (cid, i, i))
        if pos[2]:
            continue  # no value at this month: nothing to hover
        br.eval(FRAME)
        br.call("Input.dispatchMouseEvent", type="mouseMoved", x=pos[0], y=pos[1])
        br.eval(FRAME)
        tt = br.eval("""(() => { const t = Chart.getChart('%s').tooltip;
            return [t.opacity, (t.title || []).join(' '),
                    t.body.map(b => b.lines.join(' ')).join(' '), (t.footer || []).join(' ')]; })()"""
                     % cid)
        out.append("hover %s %d | %s | %s | %s%s" % (cid, i, tt[1], tt[2], tt[3],
                                                     "" if tt[0] > 0 else " (hidden)"))
        br.call("Input.dispatchMouseEvent", type="mouseMoved", x=1, y=1)
    return out


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    chromium, page, profile = argv[1:4]
    url = "file://" + os.path.abspath(page)
    br = Browser(chromium, profile)
    lines = []
    try:
        target = br.call("Target.createTarget", url="about:blank")["targetId"]
        br.session = br.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            br.call(domain + ".enable")
        br.call("Page.navigate", url=url)
        br.wait_event("Page.loadEventFired")
        br.eval(FRAME)
        for cid in br.eval("Array.from(document.querySelectorAll('canvas')).map(c => c.id)"):
            lines += hover_chart(br, cid)
        for arg in argv[4:]:
            name, _, expr = arg.partition("=")
            lines.append("eval %s %s" % (name, json.dumps(br.eval(expr), ensure_ascii=False)))
        br.eval(FRAME)
        for e in br.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Network.requestWillBeSent" and p["request"]["url"] != url:
                lines.append("request " + p["request"]["url"])
            elif m == "Runtime.consoleAPICalled":
                lines.append("console %s %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p["args"])))
            elif m == "Runtime.exceptionThrown":
                lines.append("console exception " + json.dumps(p["exceptionDetails"]))
            elif m == "Log.entryAdded":
                lines.append("console log %s %s" % (p["entry"]["level"], p["entry"]["text"]))
    finally:
        br.close()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
