DROP TABLE data_state;
DROP TABLE areas;
DROP TABLE datasets;
DROP TABLE divisions;
