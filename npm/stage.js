#!/usr/bin/env node
// Lays out the npm packages for `npm pack` / `npm publish`, at the version
// of Cargo.toml (the one version of mapfix, its wheel and its packages):
//
//   node npm/stage.js main OUTDIR                 the `mapfix` package (the shim)
//   node npm/stage.js PLATFORM BINARY OUTDIR      @mapfix/PLATFORM with BINARY in bin/
//   node npm/stage.js check                       package.json versions == Cargo.toml's
//
// PLATFORM is a name of npm/platforms.json (e.g. linux-x64-gnu).
"use strict";

const fs = require("fs");
const path = require("path");

const here = __dirname;
const root = path.dirname(here);

function cargoVersion() {
  const text = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  const pkg = text.split(/^\[/m).find((s) => s.startsWith("package]"));
  const m = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error(`${path.join(root, "Cargo.toml")}: no [package] version`);
  return m[1];
}

const platforms = JSON.parse(fs.readFileSync(path.join(here, "platforms.json"), "utf8"));
const mainJson = path.join(here, "mapfix", "package.json");

/** Every way the committed package.json disagrees with Cargo.toml and platforms.json. */
function mismatches() {
  const version = cargoVersion();
  const main = JSON.parse(fs.readFileSync(mainJson, "utf8"));
  const out = [];
  if (main.version !== version) out.push(`${mainJson}: version ${main.version}, Cargo.toml has ${version}`);
  const deps = main.optionalDependencies || {};
  const want = platforms.map((p) => `@mapfix/${p.name}`);
  if (JSON.stringify(Object.keys(deps)) !== JSON.stringify(want)) {
    out.push(`${mainJson}: optionalDependencies ${Object.keys(deps).join(", ")}; platforms.json has ${want.join(", ")}`);
  }
  for (const [name, v] of Object.entries(deps)) {
    if (v !== version) out.push(`${mainJson}: ${name} ${v}, Cargo.toml has ${version}`);
  }
  return out;
}

function stageMain(outDir) {
  const bad = mismatches();
  if (bad.length) throw new Error(bad.join("\n"));
  fs.mkdirSync(path.join(outDir, "bin"), { recursive: true });
  for (const f of ["package.json", "README.md", "bin/mapfix.js"]) {
    fs.copyFileSync(path.join(here, "mapfix", f), path.join(outDir, f));
  }
  fs.chmodSync(path.join(outDir, "bin/mapfix.js"), 0o755);
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE"]) fs.copyFileSync(path.join(root, f), path.join(outDir, f));
}

function stagePlatform(name, binary, outDir) {
  const p = platforms.find((x) => x.name === name);
  if (!p) throw new Error(`${path.join(here, "platforms.json")}: no platform ${name}`);
  const exe = p.os === "win32" ? "mapfix.exe" : "mapfix";
  const pkg = {
    name: `@mapfix/${p.name}`,
    version: cargoVersion(),
    description: `The mapfix binary for ${p.target}`,
    license: "MIT OR Apache-2.0",
    repository: JSON.parse(fs.readFileSync(mainJson, "utf8")).repository,
    os: [p.os],
    cpu: [p.cpu],
    ...(p.libc ? { libc: [p.libc] } : {}),
    files: [`bin/${exe}`],
    preferUnplugged: true,
  };
  fs.mkdirSync(path.join(outDir, "bin"), { recursive: true });
  fs.writeFileSync(path.join(outDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "README.md"), `# ${pkg.name}\n\n${pkg.description}; installed by the \`mapfix\` package.\n`);
  fs.copyFileSync(binary, path.join(outDir, "bin", exe));
  fs.chmodSync(path.join(outDir, "bin", exe), 0o755);
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE"]) fs.copyFileSync(path.join(root, f), path.join(outDir, f));
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === "check" && rest.length === 0) {
    const bad = mismatches();
    if (bad.length) throw new Error(bad.join("\n"));
  } else if (cmd === "main" && rest.length === 1) {
    stageMain(rest[0]);
  } else if (cmd && rest.length === 2) {
    stagePlatform(cmd, rest[0], rest[1]);
  } else {
    throw new Error("usage: node npm/stage.js main OUTDIR | PLATFORM BINARY OUTDIR | check");
  }
} catch (e) {
  process.stderr.write(`npm/stage.js: ${e.message}\n`);
  process.exit(1);
}
