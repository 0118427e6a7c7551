#!/usr/bin/env node
// Evaluate a SurveyJS survey's visibility logic for given answer sets, with survey-core.
//
// Usage: node tests/js/visibility-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of `survey.data` objects.
// Prints a JSON array (one entry per case) of {question name: isVisible} for every question.
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
  process.stderr.write("usage: node tests/js/visibility-surveyjs.cjs SURVEY.json CASES.json\n");
  process.exit(2);
}
const json = JSON.parse(fs.readFileSync(surveyPath, "utf8"));
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));

// One model for every case: building a SurveyModel costs ~50 ms, and assigning `data`
// replaces all values and re-runs every condition.
const model = new core.SurveyModel(json);
const results = cases.map((data) => {
  model.data = data;
  const visible = {};
  for (const question of model.getAllQuestions(false, false, true)) {
    visible[question.name] = question.isVisible;
  }
  return visible;
});
process.stdout.write(JSON.stringify(results) + "\n");
