#!/usr/bin/env node
// Answer a SurveyJS screener with survey-core and print what it computed.
//
// Usage: node tests/js/screener-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of `survey.data` objects (the answers).
// Prints a JSON array, one entry per case: the survey's data after the answers were set
// (answers plus every calculated value kept in the result) and `completedHtml`, the end
// page survey-core would show.
"use strict";

const { readCases } = require("./_cases.cjs");

const { core, json, cases } = readCases("screener-surveyjs.cjs");

const model = new core.SurveyModel(json);
const results = cases.map((data) => {
  model.data = data;
  return { data: model.data, completedHtml: model.processedCompletedHtml };
});
process.stdout.write(JSON.stringify(results) + "\n");
