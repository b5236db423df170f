/* The page's Python: exercise boxes that run where they are read.
 *
 * One file, two roles. On a chapter page it wires up each exercise box
 * (.bp-exercise, written by book/_ext/page_python.py) and offers
 * window.bpPython to the page. Started as a Web Worker (the same file), it
 * loads Pyodide (the interpreter alone, no NumPy) from the book's own
 * _static/pyodide/, writes backprop_lib's pure-Python files into its file
 * system and runs the reader's cells with backprop_lib._page.run_cell.
 *
 * Nothing of Python is loaded until the reader presses Run. Stop, and a time
 * limit per run, terminate the worker and start a fresh one: no
 * SharedArrayBuffer, so no COOP/COEP headers are needed (GitHub Pages can't
 * send them). No request leaves the book's own host.
 */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ worker */
  if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
    let python = null;
    const say = (message) => self.postMessage(message);
    async function boot(libraryURL) {
      const started = performance.now();
      const pyodideURL = new URL("../pyodide/", self.location.href).href;
      say({ type: "progress", text: "Starting Python (first run only: about 13 MB from this site)…" });
      const { loadPyodide } = await import(pyodideURL + "pyodide.mjs");
      python = await loadPyodide({ indexURL: pyodideURL, packages: [] });
      const interpreter = (performance.now() - started) / 1000;
      say({ type: "progress", text: "Loading backprop_lib…" });
      const response = await fetch(libraryURL);
      if (!response.ok) throw new Error(`could not load ${libraryURL} (${response.status})`);
      const files = await response.json();
      for (const [path, text] of Object.entries(files)) {
        const full = "/home/pyodide/bp/" + path;
        python.FS.mkdirTree(full.slice(0, full.lastIndexOf("/")));
        python.FS.writeFile(full, text);
      }
      python.runPython("import sys\nsys.path.insert(0, '/home/pyodide/bp')\n" +
                       "from backprop_lib._page import run_cell, call as bp_call");
      say({ type: "ready", seconds: (performance.now() - started) / 1000, interpreter, version: python.version });
    }
    self.onmessage = async (event) => {
      const message = event.data;
      if (message.type === "boot") {
        try {
          await boot(message.library);
        } catch (error) {
          say({ type: "failed", text: String(error && error.message ? error.message : error) });
        }
      } else if (message.type === "run") {
        let result;
        try {
          result = JSON.parse(python.globals.get("run_cell")(message.code));
        } catch (error) {  // Python itself failed (not the reader's code: run_cell catches that)
          result = { kind: "error", text: String(error && error.message ? error.message : error), output: "", traceback: "" };
        }
        say({ type: "result", id: message.id, result });
      } else if (message.type === "call") {  // a live figure: backprop_lib._page.call(name, JSON arguments) -> str
        let value = null, error = null;
        try {
          value = python.globals.get("bp_call")(message.name, JSON.stringify(message.args));
        } catch (e) {
          error = String(e && e.message ? e.message : e);
        }
        say({ type: "called", id: message.id, value, error });
      }
    };
    return;
  }

  /* -------------------------------------------------------------------- page */
  const SCRIPT_URL = document.currentScript ? document.currentScript.src : "";
  const LIBRARY_URL = new URL("backprop_lib.json", SCRIPT_URL).href;
  const RUN_LIMIT_MS = 10000;
  const BOOT_LIMIT_MS = 120000;
  const FROM_DISK = location.protocol === "file:";
  const SERVE_HINT = "Python can't start in a page opened from disk: the browser won't load its WebAssembly " +
    "from file://. To run the exercises here, serve the book: run `make serve` in the book's repository and " +
    "open the address it prints (or use Binder or Colab, at the top of the page).";

  /* Python in a worker: start() once, then run(code) / call(code); stop() ends it and starts afresh. */
  const bpPython = {
    state: "idle", // idle | starting | ready | failed
    runLimitMs: RUN_LIMIT_MS,  // a run taking longer is stopped (tests may shorten it)
    readySeconds: null,
    version: null,
    worker: null,
    ready: null,
    pending: new Map(),
    nextId: 1,
    listeners: new Set(),

    onStatus(listener) { this.listeners.add(listener); return () => this.listeners.delete(listener); },
    status(text) { for (const listener of this.listeners) listener(text); },

    start() {
      if (FROM_DISK) return Promise.reject(new Error(SERVE_HINT));
      if (this.ready) return this.ready;
      this.state = "starting";
      const worker = new Worker(SCRIPT_URL, { type: "module" });  // pyodide.mjs needs a module worker
      this.worker = worker;
      this.ready = new Promise((resolve, reject) => {
        const limit = setTimeout(() => {
          this.fail(worker, `Python did not start within ${BOOT_LIMIT_MS / 1000} s`);
        }, BOOT_LIMIT_MS);
        worker.onmessage = (event) => {
          const m = event.data;
          if (m.type === "progress") this.status(m.text);
          else if (m.type === "ready") {
            clearTimeout(limit);
            this.state = "ready";
            this.readySeconds = m.seconds;
            this.interpreterSeconds = m.interpreter;
            this.version = m.version;
            this.status("");
            resolve(this);
          } else if (m.type === "failed") {
            clearTimeout(limit);
            this.fail(worker, m.text);
          } else if (m.type === "result" || m.type === "called") {
            const job = this.pending.get(m.id);
            if (job) {
              this.pending.delete(m.id);
              clearTimeout(job.timer);
              job.resolve(m);
            }
          }
        };
        worker.onerror = (event) => {
          clearTimeout(limit);
          event.preventDefault();
          this.fail(worker, event.message || "the worker could not be started");
        };
        this.failHandler = reject;
      });
      worker.postMessage({ type: "boot", library: LIBRARY_URL });
      return this.ready;
    },

    fail(worker, text) {
      if (worker !== this.worker) return;
      worker.terminate();
      this.worker = null;
      this.state = "failed";
      const reject = this.failHandler;
      this.ready = null;
      this.status("");
      if (reject) reject(new Error(`Python could not start in this page: ${text}`));
    },

    /* End the worker (runaway code, or the reader's Stop), answer what was pending, start afresh. */
    stop(reason) {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = null;
      this.state = "idle";
      for (const [id, job] of this.pending) {
        clearTimeout(job.timer);
        job.resolve({ type: "stopped", id, reason });
      }
      this.pending.clear();
      this.start().catch(() => {});  // warm again, so the next Run need not wait
    },

    async send(message, limitMs) {
      await this.start();
      const id = this.nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          this.stop(`it ran longer than ${limitMs / 1000} s, so Python was restarted`);
        }, limitMs);
        this.pending.set(id, { resolve, timer });
        this.worker.postMessage({ ...message, id });
      });
    },

    /* Run a cell: {kind, text, output, traceback}; kind is correct | wrong | unanswered | error. */
    async run(code, limitMs = this.runLimitMs) {
      const m = await this.send({ type: "run", code }, limitMs);
      if (m.type === "stopped") return { kind: "error", text: `Stopped: ${m.reason}.`, output: "", traceback: "" };
      return m.result;
    },

    /* Draw each graph the page's Python left as DOT (draw_dot in Pyodide) with Graphviz-wasm. */
    graphviz: null,
    async drawGraphs(root) {
      const graphs = root.querySelectorAll(".bp-graph[data-bp-dot]");
      if (!graphs.length) return;
      if (!this.graphviz) {
        this.graphviz = import(new URL("../graphviz/index.js", SCRIPT_URL).href).then((m) => m.Graphviz.load());
      }
      const graphviz = await this.graphviz;
      graphs.forEach((graph) => {
        const svg = graphviz.dot(graph.dataset.bpDot);
        graph.innerHTML = svg.slice(svg.indexOf("<svg"));
        graph.removeAttribute("data-bp-dot");
      });
    },

    /* Call backprop_lib._page's define_figure or render_figure with these arguments: a str, or rejects. */
    async call(name, args, limitMs = this.runLimitMs) {
      const m = await this.send({ type: "call", name, args }, limitMs);
      if (m.type === "stopped") throw new Error(`Stopped: ${m.reason}`);
      if (m.error !== null) throw new Error(m.error);
      return m.value;
    },
  };
  window.bpPython = bpPython;

  /* ------------------------------------------------------------ the editor */
  const INDENT = "    ";

  function fitRows(editor) {
    const lines = editor.value.split("\n").length;
    editor.rows = Math.max(3, Math.min(lines + 1, 40));
  }

  function indent(editor, outdent) {
    const { selectionStart: start, selectionEnd: end, value } = editor;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    if (!outdent && start === end) {  // a plain Tab: spaces up to the next indent stop
      const pad = INDENT.slice((start - lineStart) % INDENT.length);
      editor.setRangeText(pad, start, end, "end");
      return;
    }
    const block = value.slice(lineStart, end);
    const lines = block.split("\n");
    const changed = lines.map((line) => (outdent ? line.replace(/^ {1,4}/, "") : INDENT + line)).join("\n");
    editor.setRangeText(changed, lineStart, end, "select");
  }

  function wireEditor(editor, onChange) {
    let escaped = false;  // Esc, then Tab: leave the editor (no keyboard trap)
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        escaped = true;
        return;
      }
      if (event.key === "Tab" && !escaped && !event.ctrlKey && !event.altKey && !event.metaKey) {
        event.preventDefault();
        indent(editor, event.shiftKey);
        onChange();
        return;
      }
      if (event.key !== "Shift") escaped = false;
    });
    editor.addEventListener("blur", () => { escaped = false; });
    editor.addEventListener("input", onChange);
    fitRows(editor);
  }

  /* ------------------------------------------------------- exercise boxes */
  function storageKey(id) { return `bp-exercise:${id}`; }

  function load(id) {
    try { return localStorage.getItem(storageKey(id)); } catch (e) { return null; }
  }

  function save(id, code, original) {
    try {
      if (code === original) localStorage.removeItem(storageKey(id));
      else localStorage.setItem(storageKey(id), code);
    } catch (e) { /* private mode or full: the code still runs, it just isn't kept */ }
  }

  function wireExercise(box) {
    const id = box.dataset.bpExercise;
    const editor = box.querySelector("textarea.bp-editor");
    const run = box.querySelector("button.bp-run");
    const stop = box.querySelector("button.bp-stop");
    const reset = box.querySelector("button.bp-reset");
    const verdict = box.querySelector("[data-bp-verdict]");
    const status = box.querySelector(".bp-status-line");
    const output = box.querySelector(".bp-output");
    const original = editor.defaultValue;
    const initial = { kind: verdict.dataset.bpVerdict, text: verdict.textContent };

    const kept = load(id);
    if (kept !== null && kept !== original) {
      editor.value = kept;
      status.textContent = "Your code from your last visit (Reset brings back the original).";
    }
    let timer = null;
    wireEditor(editor, () => {
      fitRows(editor);
      clearTimeout(timer);
      timer = setTimeout(() => save(id, editor.value, original), 300);
    });

    function show(result) {
      verdict.dataset.bpVerdict = result.kind;
      verdict.textContent = result.text;
      const printed = (result.output || "") + (result.kind === "error" ? result.traceback || "" : "");
      output.textContent = printed;
      output.hidden = printed === "";
    }

    run.addEventListener("click", async () => {
      save(id, editor.value, original);
      if (FROM_DISK) {
        status.textContent = SERVE_HINT;
        return;
      }
      run.disabled = true;
      stop.disabled = false;
      const off = bpPython.onStatus((text) => { status.textContent = text; });
      status.textContent = bpPython.state === "ready" ? "Running…" : "Starting Python…";
      try {
        const result = await bpPython.run(editor.value);
        show(result);
        status.textContent = "";
      } catch (error) {
        status.textContent = `${error.message}. Run this exercise in Binder or Colab instead (top of the page).`;
      } finally {
        off();
        run.disabled = false;
        stop.disabled = true;
      }
    });

    stop.addEventListener("click", () => {
      bpPython.stop("you pressed Stop, so Python was restarted");
    });

    reset.addEventListener("click", () => {
      editor.value = original;
      save(id, original, original);
      fitRows(editor);
      show({ kind: initial.kind, text: initial.text, output: "" });
      status.textContent = "The original code is back.";
    });

    box.dataset.bpReady = "true";
  }

  const STYLE = `
.bp-exercise { border: 1px solid var(--pst-color-border, #ccc); border-radius: 6px; padding: .6rem .8rem; margin: 1rem 0; }
.bp-exercise label { display: block; font-weight: 600; margin-bottom: .3rem; }
.bp-exercise textarea.bp-editor { display: block; width: 100%; box-sizing: border-box; resize: vertical;
  font-family: var(--pst-font-family-monospace, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
  font-size: .875rem; line-height: 1.45; tab-size: 4; white-space: pre; overflow-x: auto; padding: .5rem;
  color: var(--pst-color-text-base, #222); background: var(--pst-color-surface, #f8f8f8);
  border: 1px solid var(--pst-color-border, #bbb); border-radius: 4px; }
.bp-exercise .bp-buttons { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.bp-exercise .bp-buttons button { min-height: 2.2rem; min-width: 4rem; padding: .2rem .8rem; border-radius: 4px;
  border: 1px solid var(--pst-color-border, #888); background: var(--pst-color-surface, #f3f3f3);
  color: var(--pst-color-text-base, #222); cursor: pointer; }
.bp-exercise .bp-buttons button.bp-run { font-weight: 600; }
.bp-exercise .bp-buttons button:disabled { opacity: .55; cursor: default; }
.bp-exercise .bp-status-line { font-size: .9rem; }
.bp-exercise pre.bp-output { max-height: 20rem; overflow: auto; margin: .3rem 0; }
.bp-exercise [data-bp-verdict] { margin: .3rem 0; font-weight: 500; }
.bp-exercise [data-bp-verdict="correct"] { color: var(--bp-correct, #1b5e20); }
.bp-exercise [data-bp-verdict="wrong"], .bp-exercise [data-bp-verdict="error"] { color: var(--bp-wrong, #b71c1c); }
.bp-exercise [data-bp-verdict="unanswered"] { color: var(--bp-unanswered, #37474f); }
.bp-exercise [data-bp-verdict="correct"]::before { content: "\\2714\\00a0"; }
.bp-exercise [data-bp-verdict="wrong"]::before, .bp-exercise [data-bp-verdict="error"]::before { content: "\\2718\\00a0"; }
.bp-exercise .bp-help { font-size: .85rem; margin: .2rem 0 0; }
`;

  function init() {
    const boxes = document.querySelectorAll(".bp-exercise[data-bp-exercise]");
    if (boxes.length) {
      const style = document.createElement("style");
      style.textContent = STYLE;
      document.head.appendChild(style);
    }
    boxes.forEach(wireExercise);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
