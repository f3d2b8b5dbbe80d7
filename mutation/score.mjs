// Summarises a Stryker mutation-report.json: score per file and overall, written to score.json; exit 1 below target.
// score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored mutants don't count.
import { readFileSync, writeFileSync } from "node:fs";

const [reportPath, outPath, seconds] = process.argv.slice(2);
const TARGET = 80;
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const detected = new Set(["Killed", "Timeout"]);
const undetected = new Set(["Survived", "NoCoverage"]);
const files = Object.entries(report.files).map(([path, file]) => {
  const count = (set) => file.mutants.filter((m) => set.has(m.status)).length;
  const killed = count(detected), survived = count(undetected);
  const survivors = file.mutants.filter((m) => undetected.has(m.status))
    .map((m) => `${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.replacement ? ` -> ${m.replacement.slice(0, 60)}` : ""}`);
  return { file: path.replace(/^.*harness\//, "harness/"), detected: killed, undetected: survived, survivors };
}).filter((f) => f.detected + f.undetected > 0);
const detectedTotal = files.reduce((n, f) => n + f.detected, 0);
const total = files.reduce((n, f) => n + f.detected + f.undetected, 0);
const score = total === 0 ? 0 : Math.round((1000 * detectedTotal) / total) / 10;
writeFileSync(outPath, JSON.stringify({ tool: "dotnet-stryker", score, target: TARGET, detected: detectedTotal, tested: total, seconds: Number(seconds), files }, null, 2) + "\n");
for (const f of files)
  console.log(`${(f.detected + f.undetected === 0 ? 0 : (100 * f.detected) / (f.detected + f.undetected)).toFixed(1).padStart(6)}%  ${f.detected}/${f.detected + f.undetected}  ${f.file}`);
console.log(`mutation score ${score}% (${detectedTotal} of ${total} mutants detected; target ${TARGET}%) in ${seconds} s -> ${outPath}`);
process.exit(score >= TARGET ? 0 : 1);
