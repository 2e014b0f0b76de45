#!/usr/bin/env node
// The `mapfix` command of the npm package: finds the binary of this
// platform's optional dependency (@mapfix/<os>-<cpu>[-<libc>]) and runs it
// with this process's arguments, standard streams, exit status and signal.
// MAPFIX_BINARY=/path/to/mapfix runs that binary instead.
"use strict";

const { spawnSync } = require("child_process");
const os = require("os");
const path = require("path");

/** Whether this Linux runs on glibc (musl otherwise), as Node itself reports it. */
function isGlibc() {
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    return Boolean(header && header.glibcVersionRuntime);
  } catch (_) {
    return true;
  }
}

/** The platform packages that can run here, best first. */
function candidates() {
  const { platform, arch } = process;
  if (platform === "linux") {
    // The musl build is static, so it also runs on glibc systems.
    return isGlibc() ? [`linux-${arch}-gnu`, `linux-${arch}-musl`] : [`linux-${arch}-musl`];
  }
  return [`${platform}-${arch}`];
}

function findBinary() {
  if (process.env.MAPFIX_BINARY) {
    return process.env.MAPFIX_BINARY;
  }
  const exe = process.platform === "win32" ? "mapfix.exe" : "mapfix";
  const tried = [];
  for (const name of candidates()) {
    const pkg = `@mapfix/${name}`;
    tried.push(pkg);
    try {
      return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", exe);
    } catch (_) {
      // Not installed (another platform's optional dependency): try the next.
    }
  }
  process.stderr.write(
    `mapfix: no mapfix binary for ${process.platform}-${process.arch}: none of ${tried.join(", ")} is installed.\n` +
      "Reinstall without --omit=optional (or --no-optional), install another channel " +
      "(pipx install mapfix, or the release archives), or set MAPFIX_BINARY to a mapfix binary.\n",
  );
  process.exit(2);
}

const binary = findBinary();
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (result.error) {
  process.stderr.write(`mapfix: cannot run ${binary}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) {
  // Die of the same signal, so that the caller sees what the binary saw;
  // where Node ignores it (SIGPIPE), exit as a shell reports a signal.
  process.kill(process.pid, result.signal);
  process.exit(128 + (os.constants.signals[result.signal] || 0));
}
process.exit(result.status === null ? 2 : result.status);
