#!/usr/bin/env node
// Complete a SurveyJS survey as scripted respondents would, with survey-core.
//
// Usage: node tests/js/complete-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of `survey.data` objects (one respondent's answers each).
// For each case the answers are set, every page is validated (required answers, choice
// limits, expression validators, ...) and the survey is completed when nothing fails.
// Prints a JSON array (one entry per case) of
//   {"completed": bool, "errors": [{"question": name, "text": message}, ...]}.
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
  process.stderr.write("usage: node tests/js/complete-surveyjs.cjs SURVEY.json CASES.json\n");
  process.exit(2);
}
const json = JSON.parse(fs.readFileSync(surveyPath, "utf8"));
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));

// One model for every case (building one costs ~50 ms): cleared, then given the answers.
const model = new core.SurveyModel(json);
const results = cases.map((data) => {
  model.clear(true, true);
  model.data = data;
  const errors = [];
  for (const question of model.getAllQuestions(true)) {
    // validate(true) fills question.errors (survey.validate() does not keep the texts)
    if (!question.validate(true)) {
      for (const error of question.errors) {
        errors.push({ question: question.name, text: error.getText() });
      }
    }
  }
  const valid = errors.length === 0 && model.validate(false, false);
  if (valid) {
    model.doComplete();
  }
  return { completed: valid && model.state === "completed", errors };
});
process.stdout.write(JSON.stringify(results) + "\n");
