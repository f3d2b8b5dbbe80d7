// Allure 3 configuration for `./run.sh report allure [RUN_DIR]`: renders RUN_DIR/allure-results/ (written by
// AllureResultsWriter from the run's results model) into ONE self-contained HTML file (the multi-file report does
// not open from file://). run.sh passes --output RUN_DIR/allure-report.
export default {
  name: "MIMI DP conformance",
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportName: "MIMI DP conformance",
        reportLanguage: "en",
      },
    },
  },
};
