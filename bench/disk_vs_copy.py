#!/usr/bin/env python3
"""Issue 15's figures: `sipl mkdisk` (raw and qcow2), `sipl inspect` and `sipl boot` of large
disks against what copying the same bytes costs, each as a whole process, measured in the same
run: median wall, CPU (user + sys) and max RSS of N rounds, each round running every command
once in turn (so load drifting on the shared machine weighs on all alike), `sync` before
each, under /usr/bin/time (whose %M is the max RSS). Prints a Markdown table and the
targets met or missed; never fails on a figure.

    bench/disk_vs_copy.py SIPL DIR [N] [--before OLD_SIPL] [--sizes NAME:K:I,...] [--boot-dir D]

DIR gets random inputs per size NAME (stage 3 64 KiB, kernel K MiB, initrd I MiB; default
small:16:64 and large:64:256); the boot rows use issue 5's scenario (bench/boot_scenario.sh,
built in D, default DIR/boot) and its disk written again with mkdisk -f qcow2. --before measures
an older sipl binary too where it can (it has no -f qcow2).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_once(argv, cwd):
    # Under /usr/bin/time: a child forked from this Python process would count Python's own
    # resident pages in its ru_maxrss (the high-water mark survives exec).
    # CPU comes from wait4's rusage of /usr/bin/time (which includes the command it waited
    # for) in microseconds: time's own %U %S have 10 ms steps, too coarse for a 0.07 s boot.
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M"] + argv, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{err}")
    rss_kb = err.strip().splitlines()[-1].split()[0]
    return wall, ru.ru_utime + ru.ru_stime, int(rss_kb) / 1024.0


class Fig:
    """Median (wall, CPU, max RSS) of a command, filled in by run_rounds()."""

    def __init__(self, argv, cwd, before):
        self.argv, self.cwd, self.before, self.runs = argv, cwd, before, []

    def __getitem__(self, i):
        return statistics.median(x[i] for x in self.runs)


JOBS = []


def measure(argv, cwd, runs, before=None):
    # Registered now, run later by run_rounds(): round-robin over every command, so that the
    # load of the shared machine, which drifts over seconds, weighs on each the same way.
    fig = Fig(argv, cwd, before)
    JOBS.append(fig)
    return fig


def run_rounds(runs):
    for _ in range(runs):
        for fig in JOBS:
            if fig.before:
                fig.before()
            fig.runs.append(run_once(fig.argv, fig.cwd))


def make_inputs(d, kernel_mib, initrd_mib):
    os.makedirs(d, exist_ok=True)
    for name, size in (("stage3.bin", 64 << 10), ("vmlinuz", kernel_mib << 20), ("initrd.img", initrd_mib << 20)):
        path = os.path.join(d, name)
        if not os.path.exists(path) or os.path.getsize(path) != size:
            with open(path, "wb") as f:
                f.write(os.urandom(size))


def rm(*paths):
    def go():
        for p in paths:
            if os.path.exists(p):
                os.unlink(p)
    return go


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipl")
    ap.add_argument("dir")
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--before")
    ap.add_argument("--sizes", default="small:16:64,large:64:256")
    ap.add_argument("--boot-dir", help="where bench/boot_scenario.sh builds (default DIR/boot)")
    a = ap.parse_args()
    load0 = os.getloadavg()
    sipl = os.path.abspath(a.sipl)
    before = os.path.abspath(a.before) if a.before else None
    root = os.path.abspath(a.dir)
    rows, ratios = [], []

    def row(label, cmd, fig):
        rows.append((label, cmd, fig))
        return fig

    for spec in a.sizes.split(","):
        label, k, i = spec.split(":")
        d = os.path.join(root, label)
        make_inputs(d, int(k), int(i))
        mk = ["mkdisk", "--stage3", "stage3.bin", "--kernel", "vmlinuz", "--initrd", "initrd.img",
              "--parmline", "console=ttysclp0", "--secure", "0"]
        tag = f"{label} ({k} MiB kernel + {i} MiB initrd)"
        if before:
            row(f"{tag}: mkdisk raw, before", f"sipl-before {' '.join(mk)} -o old.img",
                measure([before] + mk + ["-o", "old.img"], d, a.runs, rm(os.path.join(d, "old.img"))))
        raw = row(f"{tag}: mkdisk raw", f"sipl {' '.join(mk)} -o disk.img",
                  measure([sipl] + mk + ["-o", "disk.img"], d, a.runs, rm(os.path.join(d, "disk.img"))))
        dd = row(f"{tag}: dd bs=4M conv=fsync of its output", "dd if=disk.img of=copy.img bs=4M conv=fsync",
                 measure(["dd", "if=disk.img", "of=copy.img", "bs=4M", "conv=fsync", "status=none"], d, a.runs,
                         rm(os.path.join(d, "copy.img"))))
        q = row(f"{tag}: mkdisk -f qcow2", f"sipl {' '.join(mk)} -f qcow2 -o disk.qcow2",
                measure([sipl] + mk + ["-f", "qcow2", "-o", "disk.qcow2"], d, a.runs, rm(os.path.join(d, "disk.qcow2"))))
        conv = row(f"{tag}: qemu-img convert -O qcow2 + sync", "qemu-img convert -O qcow2 disk.img conv.qcow2 && sync conv.qcow2",
                   measure(["sh", "-c", "qemu-img convert -O qcow2 disk.img conv.qcow2 && sync conv.qcow2"], d, a.runs,
                           rm(os.path.join(d, "conv.qcow2"))))
        if before:
            row(f"{tag}: inspect --json qcow2, before", "sipl-before inspect --json disk.qcow2",
                measure([before, "inspect", "--json", "disk.qcow2"], d, a.runs))
        iq = row(f"{tag}: inspect --json qcow2", "sipl inspect --json disk.qcow2",
                 measure([sipl, "inspect", "--json", "disk.qcow2"], d, a.runs))
        if before:
            row(f"{tag}: boot --disk qcow2 (normal mode), before", "sipl-before boot --disk disk.qcow2",
                measure([before, "boot", "--disk", "disk.qcow2"], d, a.runs))
        bq = row(f"{tag}: boot --disk qcow2 (normal mode)", "sipl boot --disk disk.qcow2",
                 measure([sipl, "boot", "--disk", "disk.qcow2"], d, a.runs))
        ratios += [(f"{tag}: mkdisk raw / durable copy", lambda raw=raw, dd=dd: raw[0] / dd[0], 1.2),
                   (f"{tag}: mkdisk qcow2 / convert + sync", lambda q=q, conv=conv: q[0] / conv[0], 1.5)]
        for name, fig in (("mkdisk raw", raw), ("mkdisk qcow2", q), ("inspect qcow2", iq), ("boot qcow2", bq)):
            ratios.append((f"{tag}: {name} max RSS (MB)", lambda fig=fig: fig[2], 64))

    # Issue 5's secure boot scenario, raw and as qcow2 written by mkdisk.
    b = os.path.abspath(a.boot_dir) if a.boot_dir else os.path.join(root, "boot")
    subprocess.run([os.path.join(HERE, "boot_scenario.sh"), sipl, b], check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(os.path.join(b, "sdisk.qcow2")):
        subprocess.run([sipl, "mkdisk", "-f", "qcow2", "-o", "sdisk.qcow2", "--stage3", "stage3.s", "--kernel",
                        "kernel.s", "--secure", "1"], cwd=b, check=True, stdout=subprocess.DEVNULL)
    boot = ["boot", "--boot-certs", "certs", "--boot-certs", "s.pem", "--secure-boot", "on", "--at",
            "2026-06-01T00:00:00Z", "--disk"]
    h = row("boot scenario: openssl dgst -sha256 of the 64 MiB kernel component", "openssl dgst -sha256 kernel.component",
            measure(["openssl", "dgst", "-sha256", "kernel.component"], b, a.runs))
    for disk in ("sdisk.img", "sdisk.qcow2"):
        if before:
            row(f"boot scenario: sipl boot --secure-boot on, {disk}, before", f"sipl-before {' '.join(boot)} {disk}",
                measure([before] + boot + [disk], b, a.runs))
        f = row(f"boot scenario: sipl boot --secure-boot on, {disk}", f"sipl {' '.join(boot)} {disk}",
                measure([sipl] + boot + [disk], b, a.runs))
        ratios.append((f"boot scenario {disk}: boot / one SHA-256 (CPU)", lambda f=f: f[1] / h[1], 1.1))
        ratios.append((f"boot scenario {disk}: max RSS (MB)", lambda f=f: f[2], 64))

    run_rounds(a.runs)

    load = os.getloadavg()
    print(f"median of {a.runs} rounds over all commands, `sync` before each; load average "
          f"{load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f} at the start, {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end\n")
    print("| what | command | wall | CPU | max RSS |\n|---|---|---|---|---|")
    for label, cmd, fig in rows:
        w, c, r = fig[0], fig[1], fig[2]
        print(f"| {label} | `{cmd}` | {w:.3f} s | {c:.3f} s | {r:.0f} MB |")
    print("\n| target | figure | limit | |\n|---|---|---|---|")
    for label, value, limit in ratios:
        v = value()
        print(f"| {label} | {v:.2f} | {limit} | {'met' if v <= limit else 'MISSED'} |")


if __name__ == "__main__":
    main()
