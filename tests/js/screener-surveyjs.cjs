#!/usr/bin/env node
// Answer a SurveyJS screener with survey-core and print what it computed.
//
// Usage: node tests/js/screener-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of `survey.data` objects (the answers).
// Prints a JSON array, one entry per case: the survey's data after the answers were set
// (answers plus every calculated value kept in the result) and `completedHtml`, the end
// page survey-core would show.
"use strict";

const fs = require("fs");

let core;
try {
  core = require("survey-core");
} catch (err) {
  process.stderr.write(
    "survey-core is not installed (run `npm ci` in the repository root, or `make test`): " +
      err.message +
      "\n",
  );
  process.exit(2);
}

const [surveyPath, casesPath] = process.argv.slice(2);
if (!surveyPath || !casesPath) {
  process.stderr.write("usage: node tests/js/screener-surveyjs.cjs SURVEY.json CASES.json\n");
  process.exit(2);
}
const json = JSON.parse(fs.readFileSync(surveyPath, "utf8"));
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));

const model = new core.SurveyModel(json);
const results = cases.map((data) => {
  model.data = data;
  return { data: model.data, completedHtml: model.processedCompletedHtml };
});
process.stdout.write(JSON.stringify(results) + "\n");
