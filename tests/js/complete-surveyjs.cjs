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

const { readCases } = require("./_cases.cjs");

const { core, json, cases } = readCases("complete-surveyjs.cjs");

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
