// Shared by the SurveyJS case scripts: load survey-core and read SURVEY.json CASES.json.
//
// readCases(script) returns {core, json, cases}; a missing survey-core or missing
// arguments print one line and exit 2.
"use strict";

const fs = require("fs");

function readCases(script) {
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
    process.stderr.write(`usage: node tests/js/${script} SURVEY.json CASES.json\n`);
    process.exit(2);
  }
  const json = JSON.parse(fs.readFileSync(surveyPath, "utf8"));
  const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
  return { core, json, cases };
}

module.exports = { readCases };
