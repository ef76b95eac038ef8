"""jmlog over Apache Spark: the report of one `jmlog analyze` run, for logs spread over a cluster.

    spark-submit [--master URL] [--files jmlog] jmlog_spark.py \
        [--jmlog PATH] [--piece-size BYTES] [jmlog analyze options] PATH...

PATH is anything Spark reads: local paths, hdfs://, s3a://, globs, directories (walked recursively in
natural order, hidden entries skipped unless --hidden, as jmlog does). Every task reads whole files
through Spark and streams each into its own `jmlog analyze -q -j1 -f json -`, named after the file and
dated from its modification time (--stdin-name, --stdin-modified), so executors need no shared
filesystem. The driver merges the per-file reports with `jmlog merge` in the order one run lists its
inputs and writes the report asked for (-f, -o, --top, gates and --baseline go to the merge).

A file up to --piece-size bytes (default 128 MiB) is one record of `binaryFiles`. A larger file is
read as pieces of about --piece-size bytes by Spark's text source (split at "\\n" only, so CR bytes and
invalid UTF-8 pass unchanged), and its pieces are sorted back into order in one task that streams
them into one jmlog: the file is never whole in memory, and its report is the one of the whole file.
A larger file whose name makes Hadoop decompress it (.gz, .bz2, .zst, ...) cannot be cut into raw
pieces: it is read whole up to 2 GiB, and named as unreadable (exit 2) beyond.

Exit code as one run: 2 when an input could not be read (named on stderr), 1 when a gate tripped,
otherwise 0.
"""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlparse

# Options of `jmlog analyze`: where each goes, and whether it takes a value.
TASK_VALUE = {"--by", "--since", "--until", "--tz", "--year", "--chunk-size"}
TASK_FLAG = {"--loose"}
MERGE_VALUE = {"-f", "--format", "-o", "--output", "--top", "--baseline", "--fail-on",
               "--max-total", "--max", "--color"}
UNSUPPORTED = {
    "-g": "give Spark a glob PATH instead",
    "--glob": "give Spark a glob PATH instead",
    "--exclude": "give Spark a glob PATH instead",
    "-L": "symbolic links are followed as Spark's file system does",
    "--follow-links": "symbolic links are followed as Spark's file system does",
    "--stats": "each task's statistics stay with its executor",
    "-j": "every task scans with one thread; give Spark more cores instead",
    "--threads": "every task scans with one thread; give Spark more cores instead",
}
# Names Spark's file sources never read (Hadoop's hidden-file filter).
HADOOP_HIDDEN = re.compile(r"^[_.]")
GLOB_CHARS = re.compile(r"[,{}\[\]*?\\]")
# Java arrays, and so whole-file records, stop just short of 2 GiB.
WHOLE_FILE_LIMIT = 2**31 - 64
# Reports per `jmlog merge` command line (JMLOG_SPARK_MERGE_GROUP lets the tests use a small one).
MERGE_GROUP = int(os.environ.get("JMLOG_SPARK_MERGE_GROUP", "1000"))
# How `jmlog merge` names an input a shard report records as unreadable.
SHARD_NOTE = re.compile(r"^jmlog: .* \(in [^()]*(part|level\d+)-\d+\.json\): ")


class Usage(Exception):
    pass


def parse_args(argv):
    """Splits the command line into job settings, per-file options, merge options and paths."""
    job = {"jmlog": "jmlog", "piece_size": 128 << 20, "hidden": False, "quiet": False}
    task, merge, paths = [], [], []
    i = 0
    only_paths = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            if arg == "-":
                raise Usage("standard input cannot be read by Spark tasks: give paths")
            paths.append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, value = arg.partition("=")
        if not name.startswith("--"):
            name, eq, value = arg[:2], "", arg[2:]
            if value:
                eq = "="

        def take():
            nonlocal i
            if eq:
                return value
            if i >= len(argv):
                raise Usage(f"{name} needs a value")
            i += 1
            return argv[i - 1]

        if name == "--jmlog":
            job["jmlog"] = take()
        elif name == "--piece-size":
            size = take()
            if not size.isdigit() or int(size) < 1:
                raise Usage(f"--piece-size {size}: not a positive number of bytes")
            job["piece_size"] = int(size)
        elif name == "--hidden":
            job["hidden"] = True
        elif name in ("-q", "--quiet"):
            job["quiet"] = True  # tasks always run quietly; errors are still named
        elif name in UNSUPPORTED:
            raise Usage(f"{name} is not supported by the Spark job: {UNSUPPORTED[name]}")
        elif name in TASK_FLAG:
            task.append(name)
        elif name in TASK_VALUE:
            task += [name, take()]
        elif name in MERGE_VALUE:
            merge += [name, take()]
        else:
            raise Usage(f"unknown option {arg}")
    if not paths:
        raise Usage("no input: give one or more paths Spark can read")
    return job, task, merge, paths


def path_key(uri):
    """A Hadoop path or URI as a key that `binaryFiles` and `_metadata.file_path` map onto."""
    parsed = urlparse(uri)
    return (parsed.netloc, unquote(parsed.path))


def resolve_relative(task, now):
    """Turns `--since 7d`-style spans into one absolute time, so that every task counts the same
    window the driver was asked for."""
    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    out = list(task)
    for i in range(0, len(out) - 1):
        if out[i] in ("--since", "--until"):
            m = re.fullmatch(r"(\d+)([mhdw])", out[i + 1])
            if m:
                seconds = int(m.group(1)) * units[m.group(2)]
                at = now - timedelta(seconds=seconds)
                out[i + 1] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def run_jmlog(jmlog, args, data_chunks, name):
    """Runs `jmlog analyze` over the chunks given as its standard input; returns the JSON report
    (text), the exit code and standard error. Output goes to files, so a full pipe never blocks."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([jmlog, "analyze", "-q", "-j1", "-f", "json"] + args + ["-"],
                                stdin=subprocess.PIPE, stdout=out, stderr=err)
        try:
            for chunk in data_chunks:
                proc.stdin.write(chunk)
        except BrokenPipeError:
            pass
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        code = proc.wait()
        out.seek(0)
        err.seek(0)
        report, stderr = out.read().decode("utf-8"), err.read().decode("utf-8", "replace")
    if code not in (0, 2) or not report.strip():
        raise RuntimeError(f"jmlog on {name} failed (exit {code}): {stderr.strip()}")
    return report, code, stderr


def task_args(meta, task):
    args = list(task) + ["--stdin-name", meta["name"], "--stdin-modified", meta["modified"]]
    if not meta["explicit"]:
        args.append("--stdin-skip-binary")
    return args


def jmlog_on_executor(configured):
    """The jmlog binary on this executor: the one shipped with `--files`, else --jmlog."""
    from pyspark import SparkFiles

    shipped = os.path.join(SparkFiles.getRootDirectory(), os.path.basename(configured))
    if os.path.isfile(shipped):
        if not os.access(shipped, os.X_OK):
            os.chmod(shipped, 0o755)
        return shipped
    return configured


class Lister:
    """Finds the files under the paths through Hadoop's file system (any scheme Spark reads), in the
    order one jmlog run lists them."""

    def __init__(self, sc, hidden):
        self.jvm = sc._jvm
        self.conf = sc._jsc.hadoopConfiguration()
        self.hidden = hidden
        self.codecs = self.jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(self.conf)

    def entry(self, status, name, explicit):
        path = status.getPath()
        modified = datetime.fromtimestamp(status.getModificationTime() / 1000, timezone.utc)
        return {
            "uri": path.toString(),
            "name": name,
            "size": status.getLen(),
            "modified": modified.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "explicit": explicit,
            "hadoop_codec": self.codecs.getCodec(path) is not None,
        }

    def walk(self, fs, status, name, out):
        children = list(fs.listStatus(status.getPath()))
        children.sort(key=lambda s: natural_cmp(s.getPath().getName()))
        for child in children:
            base = child.getPath().getName()
            if base.startswith(".") and not self.hidden:
                continue
            child_name = name + base if name.endswith("/") else name + "/" + base
            if child.isDirectory():
                self.walk(fs, child, child_name, out)
            else:
                out.append(self.entry(child, child_name, False))

    def list(self, arg):
        """The files of one PATH, or None when it names nothing."""
        path = self.jvm.org.apache.hadoop.fs.Path(arg)
        fs = path.getFileSystem(self.conf)
        statuses = fs.globStatus(path)
        if statuses is None or len(statuses) == 0:
            return None
        statuses = list(statuses)
        globbed = re.search(r"[{}\[\]*?]", arg) is not None
        if globbed:
            statuses.sort(key=lambda s: natural_cmp(s.getPath().toString()))
        out = []
        for status in statuses:
            name = arg
            if globbed:
                uri = status.getPath().toUri()
                name = uri.getPath() if uri.getScheme() in (None, "file") else uri.toString()
                if uri.getScheme() in (None, "file") and not os.path.isabs(arg):
                    name = os.path.relpath(name)
            if status.isDirectory():
                self.walk(fs, status, name, out)
            else:
                out.append(self.entry(status, name, True))
        return out


def natural_cmp(name):
    """A sort key equal to jmlog's natural comparison of names."""
    key = []
    data = name.encode()
    i = 0
    while i < len(data):
        if 0x30 <= data[i] <= 0x39:
            j = i
            while j < len(data) and 0x30 <= data[j] <= 0x39:
                j += 1
            digits = data[i:j]
            trimmed = digits.lstrip(b"0") or b"0"
            # Against a byte that is not a digit, a run of digits compares as any digit would;
            # against another run, by number, then by its count of leading zeros.
            key.append((0x30, len(trimmed), trimmed, len(digits)))
            i = j
        else:
            key.append((data[i], 0, b"", 0))
            i += 1
    return key


def missing_report(jmlog, task, arg, tmp):
    """The report one run gives for a PATH that names nothing: a local path is asked of jmlog itself
    (same reason, same words); elsewhere the reason is Hadoop's."""
    parsed = urlparse(arg)
    if parsed.scheme in ("", "file"):
        local = unquote(parsed.path) if parsed.scheme else arg
        proc = subprocess.run([jmlog, "analyze", "-q", "-j1", "-f", "json"] + task + ["--", local],
                              stdin=subprocess.DEVNULL, capture_output=True)
        report = json.loads(proc.stdout)
        for entry in report["inputs"]:
            entry["path"] = arg
        return report
    report, _, _ = run_jmlog(jmlog, task + ["--stdin-name", arg], [b""], arg)
    report = json.loads(report)
    report["inputs"][0]["error"] = "no such file or directory"
    return report


def small_files(sc, files, jmlog, task):
    """Reports of files read whole, one `binaryFiles` record each: (index, report, code)."""
    by_key = {path_key(f["uri"]): (i, f) for i, f in files}
    lookup = sc.broadcast(by_key)
    parts = max(1, min(len(files), sc.defaultParallelism * 4))
    data = sc.binaryFiles(",".join(f["uri"] for _, f in files), minPartitions=parts)

    def analyze(record):
        uri, content = record
        i, meta = lookup.value[path_key(uri)]
        report, code, _ = run_jmlog(jmlog_on_executor(jmlog), task_args(meta, task), [content],
                                    meta["name"])
        return i, report, code

    return data.map(analyze).collect()


def large_files(spark, files, jmlog, task, piece_size):
    """Reports of files read in pieces by Spark's text source and put back together in one task."""
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    lookup = sc.broadcast({path_key(f["uri"]): n for n, (_, f) in enumerate(files)})
    metas = sc.broadcast(files)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(piece_size))
    rows = (spark.read.option("lineSep", "\n").text([f["uri"] for _, f in files])
            .select(F.col("_metadata.file_path").alias("p"),
                    F.col("_metadata.file_block_start").alias("s"),
                    F.col("value").cast("binary").alias("v")))

    def pieces(rows):
        # Consecutive rows of one block make one piece: every line with the "\n" it was cut at.
        current, lines = None, []
        for row in rows:
            key = (row.p, row.s)
            if key != current:
                if lines:
                    yield (lookup.value[path_key(current[0])], current[1]), b"".join(lines)
                current, lines = key, []
            lines.append(bytes(row.v))
            lines.append(b"\n")
        if lines:
            yield (lookup.value[path_key(current[0])], current[1]), b"".join(lines)

    def analyze(sorted_pieces):
        # One file per partition, its pieces in order: streamed into one jmlog as they come.
        binary = jmlog_on_executor(jmlog)
        for n, found in itertools.groupby(sorted_pieces, key=lambda kv: kv[0][0]):
            i, meta = metas.value[n]

            def stream(found=found, size=meta["size"]):
                # The last line gained a "\n" if the file does not end with one: cut back to size.
                left = size
                for _, piece in found:
                    piece = piece[:left]
                    left -= len(piece)
                    yield piece

            report, code, _ = run_jmlog(binary, task_args(meta, task), stream(), meta["name"])
            yield i, report, code

    count = len(files)
    return (rows.rdd.mapPartitions(pieces)
            .repartitionAndSortWithinPartitions(numPartitions=count,
                                                partitionFunc=lambda key: key[0])
            .mapPartitions(analyze)
            .collect())


def merge_reports(jmlog, reports, merge, tmp):
    """`jmlog merge` of the reports in order, in groups so that no command line grows too long;
    merging is associative, so the result is the same."""
    paths = []
    for n, report in enumerate(reports):
        path = os.path.join(tmp, f"part-{n:06}.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(report if isinstance(report, str) else json.dumps(report))
        paths.append(path)
    level = 0
    while len(paths) > MERGE_GROUP:
        level += 1
        grouped = []
        for g in range(0, len(paths), MERGE_GROUP):
            out = os.path.join(tmp, f"level{level}-{g // MERGE_GROUP:06}.json")
            proc = subprocess.run([jmlog, "merge", "-f", "json", "-o", out] + paths[g:g + MERGE_GROUP],
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True)
            # Exit 2 with a report written: a shard recorded an unreadable input (named already).
            if proc.returncode not in (0, 2) or not os.path.exists(out):
                raise RuntimeError(f"jmlog merge failed (exit {proc.returncode}): {proc.stderr.strip()}")
            grouped.append(out)
        paths = grouped
    proc = subprocess.run([jmlog, "merge"] + merge + paths, stdin=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    # The inputs a shard could not read are named already, by their own names.
    for line in proc.stderr.splitlines(keepends=True):
        if not SHARD_NOTE.match(line):
            sys.stderr.write(line)
    return proc.returncode


def driver_zone(jmlog):
    """The zone one run on the driver would use when --tz is not given."""
    proc = subprocess.run([jmlog, "analyze", "-q", "-f", "json", "--by", "day", "-"],
                          input=b"", capture_output=True, check=True)
    return json.loads(proc.stdout)["histogram"]["tz"]


def own_stderr():
    """Gives this process the standard error of spark-submit. spark-submit runs the driver with its
    standard error joined to its standard output, which is where the report goes: messages would
    end up inside the report."""
    parent = os.getppid()
    try:
        with open(f"/proc/{parent}/comm", encoding="utf-8") as f:
            if f.read().strip() != "java":
                return
        fd = os.open(f"/proc/{parent}/fd/2", os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.close(fd)


def main(argv):
    own_stderr()
    try:
        job, task, merge, paths = parse_args(argv)
    except Usage as e:
        print(f"jmlog_spark: {e}", file=sys.stderr)
        return 2
    jmlog = job["jmlog"]
    if shutil.which(jmlog) is None:
        print(f"jmlog_spark: {jmlog}: no such program (give --jmlog PATH)", file=sys.stderr)
        return 2
    jmlog = shutil.which(jmlog)
    times = any(o in task for o in ("--by", "--since", "--until"))
    if times and "--tz" not in task:
        # Executors may live in another zone than the driver: all date as the driver would.
        task += ["--tz", driver_zone(jmlog)]
    task = resolve_relative(task, datetime.now(timezone.utc))

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("jmlog").getOrCreate()
    sc = spark.sparkContext
    lister = Lister(sc, job["hidden"])
    tmp = tempfile.mkdtemp(prefix="jmlog-spark-")
    try:
        files, missing = [], {}
        for arg in paths:
            found = lister.list(arg)
            if found is None:
                missing[len(files)] = arg
                files.append(None)
            else:
                files.extend(found)
        problems, small, large, repeated, first = {}, [], [], {}, {}
        for i, f in enumerate(files):
            if f is None:
                continue
            if f["uri"] in first:
                # Named again (a directory and a file in it): read once, as one run does.
                repeated[i] = first[f["uri"]]
                continue
            first[f["uri"]] = f["name"]
            base = f["uri"].rstrip("/").rsplit("/", 1)[-1]
            if HADOOP_HIDDEN.match(base):
                problems[i] = "Spark's file sources do not read names starting with '_' or '.'"
            elif GLOB_CHARS.search(unquote(urlparse(f["uri"]).path)):
                problems[i] = "Spark's file sources read a name with , { } [ ] * ? or \\ as a pattern"
            elif f["size"] <= job["piece_size"]:
                small.append((i, f))
            elif f["hadoop_codec"]:
                if f["size"] <= WHOLE_FILE_LIMIT:
                    small.append((i, f))
                else:
                    problems[i] = ("larger than 2 GiB and named like a compressed file, which "
                                   "Spark would decompress by name: rename it to read it raw")
            else:
                large.append((i, f))

        if not job["quiet"]:
            print(f"jmlog_spark: {len(small)} files read whole, {len(large)} in pieces of up to "
                  f"{job['piece_size']} bytes", file=sys.stderr)
        reports = {}
        if small:
            for i, report, _ in small_files(sc, small, jmlog, task):
                reports[i] = report
        if large:
            for i, report, _ in large_files(spark, large, jmlog, task, job["piece_size"]):
                reports[i] = report
        for i, arg in missing.items():
            reports[i] = missing_report(jmlog, task, arg, tmp)
        for i, reason in problems.items():
            report, _, _ = run_jmlog(jmlog, task + ["--stdin-name", files[i]["name"]], [b""],
                                     files[i]["name"])
            report = json.loads(report)
            report["inputs"][0]["error"] = reason
            reports[i] = report
        for i, same_as in repeated.items():
            report, _, _ = run_jmlog(jmlog, task + ["--stdin-name", files[i]["name"]], [b""],
                                     files[i]["name"])
            report = json.loads(report)
            report["inputs"][0].update(encoding=None, same_as=same_as)
            report["totals"]["files"] = 0  # as one run counts it
            reports[i] = report
        lost = [i for i in range(len(files)) if i not in reports]
        for i in lost:
            print(f"jmlog: {files[i]['name']}: no report came back from Spark", file=sys.stderr)
        spark.stop()

        trouble = bool(lost)
        ordered = []
        for i in sorted(reports):
            report = reports[i]
            parsed = json.loads(report) if isinstance(report, str) else report
            for entry in parsed["inputs"]:
                if entry.get("error"):
                    print(f"jmlog: {entry['path']}: {entry['error']}", file=sys.stderr)
                    trouble = True
                elif entry.get("skipped"):
                    print(f"jmlog: {entry['path']}: {entry['skipped']}, skipped", file=sys.stderr)
                    trouble = True
                elif entry.get("same_as") and not job["quiet"]:
                    print(f"jmlog: {entry['path']}: the same file as {entry['same_as']}, "
                          "counted once", file=sys.stderr)
            ordered.append(report)
        code = merge_reports(jmlog, ordered, merge, tmp)
        if trouble and code in (0, 1):
            code = 2
        return code
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
