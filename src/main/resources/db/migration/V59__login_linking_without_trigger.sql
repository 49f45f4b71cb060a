-- Issue #15 item 3: no correctness may rest on an advisory lock or on a trigger that reads other
-- rows, as both see only one node once writes run on many.
--
-- V4's rule stays (latest_login, login_window_end); who applies it to a new session changes. The
-- session writers' insert statements (SessionRecorder, SessionImport) fill a new session from its
-- latest login themselves, and the race between a session insert and a login in flight is closed
-- by row locks on the venue's own location row (captiva.sessions.LoginLinking) instead of the
-- advisory lock: session writers take it FOR SHARE, a login's transaction FOR NO KEY UPDATE before
-- it links.
DROP TRIGGER session_link_login ON session;
DROP FUNCTION session_link_login();
DROP FUNCTION await_session_inserts(bigint);
