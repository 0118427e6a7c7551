#!/usr/bin/env node
// Drive respondents through a SurveyJS survey with survey-core, page by page, as a browser
// would: answer the current page, press "Next" (or "Complete" on the last page), until the
// survey completes (a `complete` trigger may end it early).
//
// Usage: node tests/js/fieldwork-surveyjs.cjs SURVEY.json CASES.json
//   CASES.json: a JSON array of {"answers": {question: value}, "variables": {name: value}}
//   (variables are what the host sets before the start: the panel's id, quota counts).
// Prints a JSON array, one entry per case:
//   {"state", "pagesSeen", "url" (the redirect survey-core navigates to), "html" (the
//    completed page), "data" (survey.data)}
"use strict";

const { readCases } = require("./_cases.cjs");

const { core, json, cases } = readCases("fieldwork-surveyjs.cjs");

const results = cases.map(({ answers, variables }) => {
  const survey = new core.SurveyModel(json);
  for (const [name, value] of Object.entries(variables || {})) {
    survey.setVariable(name, value);
  }
  let url = null;
  survey.onNavigateToUrl.add((_, options) => {
    url = options.url;
    options.allow = false; // no window to navigate in node: record the URL
  });
  const pagesSeen = [];
  for (let guard = 0; guard < 100 && survey.state === "running"; guard++) {
    const page = survey.currentPage;
    pagesSeen.push(page.name);
    for (const question of page.questions) {
      if (question.isVisible && answers[question.name] !== undefined) {
        survey.setValue(question.name, answers[question.name]);
      }
    }
    if (survey.state !== "running") break;
    if (survey.isLastPage) {
      survey.completeLastPage();
    } else if (!survey.nextPage() && survey.state === "running") {
      process.stderr.write("page " + page.name + " does not validate: " +
        JSON.stringify(answers) + "\n");
      process.exit(1);
    }
  }
  return { state: survey.state, pagesSeen, url, html: survey.processedCompletedHtml,
           data: survey.data };
});
process.stdout.write(JSON.stringify(results) + "\n");
