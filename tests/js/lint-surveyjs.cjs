#!/usr/bin/env node
// Lint a SurveyJS survey JSON with survey-core's own linter (`survey-core/linter`).
//
// Usage: node tests/js/lint-surveyjs.cjs [--known-variables=a,b] SURVEY.json [SURVEY2.json ...]
//
// --known-variables names the variables the host sets at run time (the panel's respondent
// id, quota counts: `survey_builder.exporters.surveyjs.host_variables`); the linter's
// `knownVariables` option, so references to them are not "unknown".
//
// Every rule the linter knows (`getRules()`) is raised to severity "error", so an unknown
// element type, an unknown property, an invalid property value, duplicate choices, a
// reference to an unknown question in `visibleIf`, ... all fail the check. The survey is
// also loaded into a `SurveyModel`, whose deserializer errors (`jsonErrors`) count as errors.
// Warnings fail too (every rule is an error, so there should be none).
//
// Prints one JSON object per file on stdout:
//   {"file": ..., "errorCount": n, "findings": [...], "jsonErrors": [...]}
// and a human-readable report on stderr. Exit codes: 0 clean, 1 findings, 2 usage/IO error.
"use strict";

const fs = require("fs");

let linter;
let core;
try {
  linter = require("survey-core/linter");
  core = require("survey-core");
  // UI translations for every locale, as a multilingual front end loads them
  // (`import "survey-core/survey.i18n"`); without them only "en" is a valid `locale`.
  require("survey-core/survey.i18n");
} catch (err) {
  process.stderr.write(
    "survey-core is not installed (run `npm ci` in the repository root, or `make test`): " +
      err.message +
      "\n",
  );
  process.exit(2);
}

const known = [];
const files = [];
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--known-variables=")) {
    known.push(...arg.slice("--known-variables=".length).split(",").filter(Boolean));
  } else {
    files.push(arg);
  }
}
if (files.length === 0) {
  process.stderr.write("usage: node tests/js/lint-surveyjs.cjs SURVEY.json [...]\n");
  process.exit(2);
}

const rules = {};
for (const rule of linter.getRules()) {
  rules[rule.id] = "error";
}

let failed = false;
for (const file of files) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    process.stderr.write(`${file}: cannot read JSON: ${err.message}\n`);
    process.exit(2);
  }
  const result = linter.lintSurvey(json, { rules, knownVariables: known });
  const model = new core.SurveyModel(json);
  const jsonErrors = (model.jsonErrors || []).map((e) => String(e.message || e));
  const errorCount = result.errorCount + jsonErrors.length;
  process.stdout.write(
    JSON.stringify({
      file,
      errorCount,
      warningCount: result.warningCount,
      infoCount: result.infoCount,
      findings: result.findings,
      jsonErrors,
      pageCount: model.pages.length,
      questionCount: model.getAllQuestions().length,
    }) + "\n",
  );
  if (errorCount > 0 || result.warningCount > 0) {
    failed = true;
    process.stderr.write(`${file}:\n${linter.renderFindings(result)}\n`);
    for (const message of jsonErrors) {
      process.stderr.write(`ERROR  SurveyModel.jsonErrors\n  ${message}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
