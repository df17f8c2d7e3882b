"""Shared pieces of the tools tests (shim-run, pcap, statistics, unprivileged path).

A Run collects PASS/FAIL lines and ends with "N passed, M failed"; it owns a work directory,
the processes it started (ended by pid) and the namespace pairs it made (removed), and cleans
them all up on any exit, also on SIGTERM/SIGINT (ctest's timeout sends SIGTERM)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))
PAIR = os.path.join(TOP, 'scripts', 'netns-pair')
PYTHON = '/usr/bin/python3'  # not a wrapper script (pyenv shims would run under the shim too)


def shim_env(extra=None):
    """The environment for a program under a (possibly sanitized) libshim."""
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)
    asan = env.get('ASAN_OPTIONS', '')
    env['ASAN_OPTIONS'] = (asan + ':' if asan else '') + 'detect_leaks=0'
    if extra:
        env.update(extra)
    return env


class Run:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.procs = []
        self.pairs = []
        self.cleanups = []
        self.work = tempfile.mkdtemp(prefix=f'shim-{name}.')
        signal.signal(signal.SIGTERM, self._signal)
        signal.signal(signal.SIGINT, self._signal)

    def _signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def check(self, label, ok, detail=''):
        if ok:
            print(f'PASS {label}', flush=True)
            self.passed += 1
        else:
            print(f'FAIL {label}' + (f': {detail}' if detail else ''), flush=True)
            self.failed += 1
        return ok

    def pair_up(self, *opts):
        name = f'{self.name}{os.getpid() % 100000}'
        subprocess.run([PAIR, 'down', name], capture_output=True)
        self.pairs.append(name)
        subprocess.run([PAIR, 'up', name, *opts], check=True, capture_output=True)
        return name

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # keep cleaning up
                print(f'cleanup: {e}', file=sys.stderr)
        for name in self.pairs:
            subprocess.run([PAIR, 'down', name], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed', flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


def main(name, body):
    """Run body(run) with cleanup on every way out; exit with the result."""
    run = Run(name)
    status = 1
    try:
        body(run)
        status = run.finish()
    except SystemExit as e:
        print(f'interrupted ({e.code})', flush=True)
        status = 1
    except Exception as e:
        import traceback
        traceback.print_exc()
        run.check('no unexpected error', False, repr(e))
        run.finish()
        status = 1
    finally:
        run.cleanup()
    sys.exit(status)


def wait_for(pred, timeout, step=0.05):
    """Poll pred() until true or timeout seconds passed (bounded). Returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def in_ns(ns, argv):
    return ['ip', 'netns', 'exec', ns, *argv]
