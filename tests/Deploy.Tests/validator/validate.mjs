// Reads Kubernetes objects as YAML (many documents) on stdin and checks each against the API's schema for its
// apiVersion and kind (kubernetes-models). Prints one line per object; exits 1 when any object is invalid or unknown.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

let failures = 0;
let checked = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    console.log(`invalid YAML: ${document.errors[0].message}`);
    failures++;
    continue;
  }
  const object = document.toJS();
  if (object == null) continue;
  const label = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  let model;
  try {
    model = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`))[object.kind];
  } catch {
    console.log(`unknown: ${label} (no schema for this apiVersion and kind)`);
    failures++;
    continue;
  }
  try {
    new model(object).validate();
    console.log(`valid: ${label}`);
    checked++;
  } catch (error) {
    console.log(`invalid: ${label}: ${error.message}`);
    failures++;
  }
}
console.log(`${checked} valid, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
