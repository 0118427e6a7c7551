#!/usr/bin/env node
// Evaluate a SurveyJS survey's visibility logic for given answer sets, with survey-core.
//
// Usage: node tests/js/visibility-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of `survey.data` objects.
// Prints a JSON array (one entry per case) of {question name: isVisible} for every question.
"use strict";

const { readCases } = require("./_cases.cjs");

const { core, json, cases } = readCases("visibility-surveyjs.cjs");

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
