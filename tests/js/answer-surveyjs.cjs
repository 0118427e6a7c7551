#!/usr/bin/env node
// Answer a SurveyJS survey question by question, as a respondent clicking would, with
// survey-core, and print the result data survey-core stores.
//
// Usage: node tests/js/answer-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of respondents, each {"answers": {name: value},
//   "other": {name: text}}: `answers` are set on each question's `value` (a grid takes
//   {row: column}), `other` types the text into a question's "Other (specify)" box
//   (`question.otherValue`, survey-core's own text box of `showOtherItem`).
// For each case the pages are validated and the survey completed when nothing fails.
// Prints a JSON array (one entry per case) of
//   {"completed": bool, "data": survey.data, "errors": [{"question", "text"}]}.
"use strict";

const { readCases } = require("./_cases.cjs");

const { core, json, cases } = readCases("answer-surveyjs.cjs");

const model = new core.SurveyModel(json);
const results = cases.map((respondent) => {
  model.clear(true, true);
  for (const [name, value] of Object.entries(respondent.answers || {})) {
    const question = model.getQuestionByName(name);
    if (!question) {
      throw new Error(`no question named ${name}`);
    }
    question.value = value;
  }
  for (const [name, text] of Object.entries(respondent.other || {})) {
    model.getQuestionByName(name).otherValue = text;
  }
  const errors = [];
  for (const question of model.getAllQuestions(true)) {
    if (!question.validate(true)) {
      for (const error of question.errors) {
        errors.push({ question: question.name, text: error.getText() });
      }
    }
  }
  const data = JSON.parse(JSON.stringify(model.data));
  const valid = errors.length === 0 && model.validate(false, false);
  if (valid) {
    model.doComplete();
  }
  return { completed: valid && model.state === "completed", data, errors };
});
process.stdout.write(JSON.stringify(results) + "\n");
