// Fill a PDF form with pdf.js (Firefox's engine) the way Firefox's form layer does, then save.
//
//   node fill.mjs in.pdf values.json out.pdf
//
// values.json maps PDF field names to what each holds: a string for a text field, true/false
// for a check box, the chosen button's export value (its on-state name) for a radio group.
// As in pdf.js's AnnotationLayer (TextWidgetAnnotationElement, CheckboxWidgetAnnotationElement,
// RadioButtonWidgetAnnotationElement), values go into pdfDocument.annotationStorage keyed by
// widget annotation id: text {value: string} on every widget of the field, a check box
// {value: boolean}, a radio group {value: false} on every button and {value: true} on the chosen
// one (whose data.buttonValue is the export value). saveDocument() then writes what Firefox's
// "Save" writes: an incremental update with /V, /AS and regenerated appearances.
// Exit status 3 with "MISSING [names]" on stdout when a field or radio button is not in the PDF,
// 2 with "Error: ..." when pdf.js cannot open it.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const [input, valuesPath, output] = process.argv.slice(2);
const values = JSON.parse(readFileSync(valuesPath, "utf8"));
const here = dirname(fileURLToPath(import.meta.url));
const fonts = join(here, "node_modules", "pdfjs-dist", "standard_fonts") + "/";

let doc;
try {
  doc = await getDocument({ data: new Uint8Array(readFileSync(input)), standardFontDataUrl: fonts, verbosity: 0 })
    .promise;
} catch (e) {
  console.log(`Error: pdf.js cannot open the PDF: ${e.name}: ${e.message}`);
  process.exit(2);
}
const storage = doc.annotationStorage;

// Every widget by full field name, in page order.
const widgets = new Map();
for (let p = 1; p <= doc.numPages; p++) {
  const page = await doc.getPage(p);
  for (const a of await page.getAnnotations({ intent: "display" })) {
    if (a.annotationType !== 20 || !a.fieldName) continue; // AnnotationType.WIDGET
    if (!widgets.has(a.fieldName)) widgets.set(a.fieldName, []);
    widgets.get(a.fieldName).push(a);
  }
}

const missing = [];
for (const [name, value] of Object.entries(values)) {
  const kids = widgets.get(name);
  if (!kids) {
    missing.push(name);
    continue;
  }
  const first = kids[0];
  if (first.radioButton) {
    const chosen = kids.find((k) => k.buttonValue === value);
    if (!chosen) {
      missing.push(`${name}=${value}`);
      continue;
    }
    for (const k of kids) storage.setValue(k.id, { value: false });
    storage.setValue(chosen.id, { value: true });
  } else if (first.checkBox) {
    for (const k of kids) storage.setValue(k.id, { value: Boolean(value) && k.exportValue === first.exportValue });
  } else if (first.fieldType === "Tx") {
    for (const k of kids) storage.setValue(k.id, { value: String(value) });
  } else {
    missing.push(name);
  }
}
if (missing.length) {
  console.log("MISSING " + JSON.stringify(missing));
  process.exit(3);
}
writeFileSync(output, await doc.saveDocument());
await doc.destroy();
