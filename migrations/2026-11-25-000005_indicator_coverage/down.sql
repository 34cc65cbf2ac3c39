DROP TABLE indicator_coverage;
