#!/usr/bin/env python3
"""Side-by-side benchmark: kvs vs the AWS CLI vs curl, against kvs-emulator on 127.0.0.1.

Usage (from the repository root):  python3 bench/run.py [--reps N] [--fleet N] [--aws-fleet N]

Builds kvs and kvs-emulator in release mode, starts the emulator, runs each comparison with
interleaved repetitions (A B A B ...), and prints a Markdown report on stdout: medians, min/max and
ratios, peak RSS, binary size and callgrind instruction counts. Standard library only.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGION = "us-west-2"
KEY, SECRET = "test", "test"
ACCOUNT = "123456789012"
GNU_TIME = "/usr/bin/time"


def arn(i):
    return f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:channel/bench-{i}/1234567890123"


def clean_env(home, extra=None):
    """Nothing from this machine's AWS settings: PATH, a temporary HOME and the emulator's keys."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": REGION,
    }
    env.update(extra or {})
    return env


def run_timed(cmd, env, stdout_fd=None):
    """Run once with posix_spawn, output to /dev/null (or stdout_fd); return seconds.

    No pipes and no reader loop, so the harness adds as little as it can to either tool."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 0),
                   (os.POSIX_SPAWN_DUP2, devnull if stdout_fd is None else stdout_fd, 1),
                   (os.POSIX_SPAWN_DUP2, devnull, 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
    finally:
        os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True).stderr
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}\n{err.decode(errors='replace')}")
    return elapsed


def run_output(cmd, env):
    """Run once as run_timed does; return (seconds, stdout)."""
    with tempfile.TemporaryFile() as out:
        elapsed = run_timed(cmd, env, out.fileno())
        out.seek(0)
        return elapsed, out.read()


def peak_rss_kib(cmd, env, runs=3):
    """Peak RSS of cmd, through GNU time: a child forked from this script would report Python's
    own RSS, because Linux carries the pre-exec image's high-water mark across exec."""
    if not os.access(GNU_TIME, os.X_OK):
        return None
    peak = 0
    with tempfile.NamedTemporaryFile("r") as out:
        for _ in range(runs):
            proc = subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name] + cmd, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True)
            if proc.returncode != 0:
                raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
            out.seek(0)
            peak = max(peak, int(out.read().split()[-1]))
    return peak


def summary(samples):
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def interleave(named_fns, reps):
    """Call each function in turn, reps times, and collect its timings."""
    results = {name: [] for name, _ in named_fns}
    for _ in range(reps):
        for name, fn in named_fns:
            results[name].append(fn())
    return {name: summary(samples) for name, samples in results.items()}


def start_emulator(emulator_bin, channels_file, ca_file=None):
    """Start kvs-emulator; return (process, control plane URL). With ca_file, serve HTTPS with a
    generated certificate and write the CA that signed it there."""
    tls = ["--tls-generate"] if ca_file else []
    proc = subprocess.Popen(
        [emulator_bin, "--port", "0", "--storage-port", "0", "--region", REGION, "--quiet",
         "--access-key-id", KEY, "--secret-access-key", SECRET, "--channels-file", channels_file]
        + tls, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    urls = re.findall(r"https?://[0-9.:]+", line)
    if not urls:
        proc.kill()
        raise SystemExit(f"kvs-emulator did not start: {line!r}")
    if ca_file:
        pem = []
        for row in proc.stdout:
            if row.startswith("-----BEGIN") or pem:
                pem.append(row)
            if row.startswith("-----END"):
                break
        with open(ca_file, "w") as f:
            f.write("".join(pem))
    return proc, urls[0]


def callgrind_instructions(cmd, env):
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd,
                              env=env, capture_output=True, text=True)
        match = re.search(r"Collected : (\d+)", proc.stderr)
        return int(match.group(1)) if match else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="repetitions per comparison")
    parser.add_argument("--fleet", type=int, default=1000, help="joins in the fleet run")
    parser.add_argument("--aws-fleet", type=int, default=100,
                        help="joins in the AWS CLI's fleet sample (scaled to --fleet)")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "kvs", "-p", "kvs-emulator"],
                   cwd=ROOT, check=True)
    kvs = os.path.join(ROOT, "target", "release", "kvs")
    emulator_bin = os.path.join(ROOT, "target", "release", "kvs-emulator")
    aws = shutil.which("aws")
    curl = shutil.which("curl")

    home = tempfile.mkdtemp()
    channels_file = os.path.join(home, "channels.txt")
    with open(channels_file, "w") as f:
        f.write("\n".join(arn(i) for i in range(args.fleet)) + "\n")
    ca_file = os.path.join(home, "emulator-ca.pem")
    emulator, control = start_emulator(emulator_bin, channels_file)
    tls_emulator, tls_control = start_emulator(emulator_bin, channels_file, ca_file)
    try:
        report = run_all(args, kvs, aws, curl, home, control, (tls_control, ca_file))
    finally:
        for proc in (emulator, tls_emulator):
            proc.terminate()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)
    print(report)


def discover(curl, control, channel, env, ca_file=None):
    body = json.dumps({"ChannelARN": channel, "SingleMasterChannelEndpointConfiguration":
                       {"Protocols": ["WEBRTC"], "Role": "MASTER"}})
    _, out = run_output(curl_cmd(curl, control + "/getSignalingChannelEndpoint", body, ca_file),
                        env)
    endpoints = json.loads(out)["ResourceEndpointList"]
    return next(e["ResourceEndpoint"] for e in endpoints if e["Protocol"] == "WEBRTC")


def curl_cmd(curl, url, body, ca_file=None):
    return [curl, "-sS", "--fail", "--aws-sigv4", f"aws:amz:{REGION}:kinesisvideo",
            "--user", f"{KEY}:{SECRET}", "-H", "Content-Type: application/json",
            "--data-binary", body] + (["--cacert", ca_file] if ca_file else []) + [url]


def run_all(args, kvs, aws, curl, home, control, tls):
    env = clean_env(home)
    env_discovery = clean_env(home, {"AWS_ENDPOINT_URL": control})
    channel = arn(0)
    join_body = json.dumps({"channelArn": channel})
    storage = discover(curl, control, channel, env) if curl else None
    lines = []
    ratios = {}
    measured = {}

    def timed(cmd, env, key):
        measured[key] = (cmd, env)
        return lambda: run_timed(cmd, env)

    # 1. Skeleton.
    named = [("kvs", timed([kvs, "join-storage-session", "--generate-cli-skeleton"], env, "kvs skeleton"))]
    if aws:
        named.append(("aws", timed([aws, "kinesis-video-webrtc-storage", "join-storage-session",
                                    "--generate-cli-skeleton"], env, "aws skeleton")))
    skeleton = interleave(named, args.reps)
    lines.append(section("1. `--generate-cli-skeleton`", skeleton))
    if aws:
        ratios["skeleton: aws / kvs (target >= 150)"] = skeleton["aws"]["median"] / skeleton["kvs"]["median"]

    # 2. One signed JoinStorageSession with --endpoint-url.
    kvs_join = [kvs, "join-storage-session", "--channel-arn", channel, "--endpoint-url", storage or control]
    named = [("kvs", timed(kvs_join, env, "kvs join"))]
    if aws:
        named.append(("aws", timed([aws, "kinesis-video-webrtc-storage", "join-storage-session",
                                    "--channel-arn", channel, "--endpoint-url", storage or control],
                                   env, "aws join")))
    if curl:
        named.append(("curl", timed(curl_cmd(curl, (storage or control) + "/joinStorageSession",
                                             join_body), env, "curl join")))
    single = interleave(named, args.reps)
    lines.append(section("2. One signed JoinStorageSession (`--endpoint-url`)", single))
    if aws:
        ratios["single call: aws / kvs"] = single["aws"]["median"] / single["kvs"]["median"]
    if curl:
        ratios["single call: kvs / curl"] = single["kvs"]["median"] / single["curl"]["median"]

    # 3. Full flow with discovery: one kvs process vs two curl processes.
    kvs_full = [kvs, "join-storage-session", "--channel-arn", channel]

    def two_curls(control_url, ca_file=None):
        def fn():
            start = time.perf_counter()
            endpoint = discover(curl, control_url, channel, env, ca_file)
            run_timed(curl_cmd(curl, endpoint + "/joinStorageSession", join_body, ca_file), env)
            return time.perf_counter() - start
        return fn

    named = [("kvs (discovery + join)", timed(kvs_full, env_discovery, "kvs full flow"))]
    if curl:
        named.append(("2 x curl", two_curls(control)))
    full = interleave(named, args.reps)
    lines.append(section("3. Full flow: discovery + join", full))
    if curl:
        ratios["full flow: kvs / two curls (target <= 0.8)"] = (
            full["kvs (discovery + join)"]["median"] / full["2 x curl"]["median"])
    if aws:
        ratios["full flow kvs vs aws single call: aws / kvs (target >= 40)"] = (
            single["aws"]["median"] / full["kvs (discovery + join)"]["median"])

    # 3b. The same over HTTPS, trusting the emulator's CA: what a real endpoint costs in TLS.
    tls_control, ca_file = tls
    env_tls = clean_env(home, {"AWS_ENDPOINT_URL": tls_control, "AWS_CA_BUNDLE": ca_file})
    named = [("kvs (discovery + join)", timed(kvs_full, env_tls, "kvs full flow, HTTPS"))]
    if curl:
        named.append(("2 x curl", two_curls(tls_control, ca_file)))
    full_tls = interleave(named, args.reps)
    lines.append(section("3b. Full flow over HTTPS (`AWS_CA_BUNDLE` / `--cacert`)", full_tls))
    if curl:
        ratios["full flow over HTTPS: kvs / two curls"] = (
            full_tls["kvs (discovery + join)"]["median"] / full_tls["2 x curl"]["median"])

    # 4. Fleet: N joins over N channels, 8 at a time.
    def fleet(cmd_prefix, n, env):
        channels = "\n".join(arn(i) for i in range(n)) + "\n"
        start = time.perf_counter()
        proc = subprocess.run(["xargs", "-P", "8", "-n", "1"] + cmd_prefix, input=channels.encode(),
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise SystemExit(f"fleet run failed: {proc.stderr.decode(errors='replace')[:500]}")
        return time.perf_counter() - start
    kvs_fleet = fleet([kvs, "join-storage-session", "--channel-arn"], args.fleet, env_discovery)
    lines.append("### 4. Fleet: joins over distinct channels, 8 at a time (`xargs -P 8`)\n")
    lines.append("| tool | joins | wall time | joins/s |\n|---|---|---|---|")
    lines.append(f"| kvs (discovery + join) | {args.fleet} | {kvs_fleet:.2f} s | {args.fleet / kvs_fleet:.0f} |")
    if aws:
        aws_fleet_env = clean_env(home)
        aws_time = fleet([aws, "kinesis-video-webrtc-storage", "join-storage-session",
                          "--endpoint-url", storage or control, "--channel-arn"],
                         args.aws_fleet, aws_fleet_env)
        lines.append(f"| aws (one call, `--endpoint-url`; {args.aws_fleet}-join sample, scaled) "
                     f"| {args.aws_fleet} | {aws_time:.2f} s | {args.aws_fleet / aws_time:.0f} |")
        ratios["fleet throughput: kvs / aws (target >= 30)"] = (
            (args.fleet / kvs_fleet) / (args.aws_fleet / aws_time))
    lines.append("")

    # 5. Peak RSS and binary size.
    lines.append("### 5. Peak RSS and binary size\n")
    lines.append("| run | peak RSS |\n|---|---|")
    for key in sorted(measured):
        rss = peak_rss_kib(*measured[key])
        shown = f"{rss / 1024:.1f} MiB" if rss is not None else f"n/a ({GNU_TIME} not installed)"
        lines.append(f"| {key} | {shown} |")
    size = os.path.getsize(kvs)
    lines.append(f"\nStripped release binary: {size / 1048576:.2f} MiB ({size} bytes)\n")

    # 6. Instruction counts.
    lines.append("### 6. Instructions (callgrind)\n")
    skel_ir = callgrind_instructions([kvs, "join-storage-session", "--generate-cli-skeleton"], env)
    full_ir = callgrind_instructions(kvs_full, env_discovery)
    if skel_ir is None:
        lines.append("valgrind not available\n")
    else:
        lines.append("| run | instructions |\n|---|---|")
        lines.append(f"| kvs skeleton | {skel_ir:,} |")
        lines.append(f"| kvs discovery + join | {full_ir:,} |\n" if full_ir else "| kvs discovery + join | n/a |\n")

    lines.append("### Ratios (same run)\n")
    lines.append("| comparison | ratio |\n|---|---|")
    for name, value in ratios.items():
        lines.append(f"| {name} | {value:.2f} |")

    header = [
        "## kvs benchmark",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {os.cpu_count()} cores, {cpu_model()}, {platform.system()}",
        f"- command: `python3 bench/run.py --reps {args.reps} --fleet {args.fleet} --aws-fleet {args.aws_fleet}`",
        f"- AWS CLI: {aws_version(aws) if aws else 'not installed: kvs measured alone'}",
        f"- curl: {curl_version(curl) if curl else 'not installed'}",
        "",
    ]
    return "\n".join(header + lines)


def section(title, results):
    rows = [f"### {title}\n", "| tool | median | min | max | runs |", "|---|---|---|---|---|"]
    for name, s in results.items():
        rows.append(f"| {name} | {ms(s['median'])} | {ms(s['min'])} | {ms(s['max'])} | {s['n']} |")
    rows.append("")
    return "\n".join(rows)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def aws_version(aws):
    out = subprocess.run([aws, "--version"], capture_output=True, text=True)
    # The kernel's release names this machine, not the AWS CLI.
    return re.sub(r"Linux/\S+", "Linux", (out.stdout or out.stderr).strip())


def curl_version(curl):
    return subprocess.run([curl, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


if __name__ == "__main__":
    sys.exit(main())
