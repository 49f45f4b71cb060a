-- The latest-login rule is applied by the statements that store and link sessions
-- (captiva.sessions.LatestLogin): Citus cannot plan a parameterized SQL function that reads a
-- distributed table, so nothing calls latest_login any more. login_window_end stays: it reads no
-- table and the statements use it.
DROP FUNCTION latest_login(bigint, bigint, text, macaddr, timestamptz);
