-- One database per component, each owned by its own login role, so that no
-- component can read another one's data. Run once by the postgres image on an
-- empty data directory (docker-compose.yml mounts this folder at
-- /docker-entrypoint-initdb.d). The passwords are for the local stack only.

CREATE ROLE catalogue LOGIN PASSWORD 'catalogue-local';
CREATE DATABASE catalogue OWNER catalogue;
REVOKE ALL ON DATABASE catalogue FROM PUBLIC;

CREATE ROLE training LOGIN PASSWORD 'training-local';
CREATE DATABASE training OWNER training;
REVOKE ALL ON DATABASE training FROM PUBLIC;

CREATE ROLE helpdesk LOGIN PASSWORD 'helpdesk-local';
CREATE DATABASE helpdesk OWNER helpdesk;
REVOKE ALL ON DATABASE helpdesk FROM PUBLIC;

CREATE ROLE kpi LOGIN PASSWORD 'kpi-local';
CREATE DATABASE kpi OWNER kpi;
REVOKE ALL ON DATABASE kpi FROM PUBLIC;

CREATE ROLE gateway LOGIN PASSWORD 'gateway-local';
CREATE DATABASE gateway OWNER gateway;
REVOKE ALL ON DATABASE gateway FROM PUBLIC;
