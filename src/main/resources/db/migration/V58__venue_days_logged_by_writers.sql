-- Citus refuses statement-level triggers (they read transition tables) on a distributed table. The
-- triggers of V9 that logged the venue-days a statement on session touched (venue_day_dirty) go:
-- every writer of sessions now logs them in its own statement, with one definition of what is
-- logged (captiva.sessions.VenueDays): the RADIUS and JSON accounting batches, the import and the
-- demo, the stale-session reaper, logins linking sessions, guest erasure and retention. An
-- Interim-Update of an open session logs nothing, as before.
DROP TRIGGER session_inserted_venue_day ON session;
DROP TRIGGER session_updated_venue_day ON session;
DROP TRIGGER session_deleted_venue_day ON session;
DROP FUNCTION venue_day_mark_dirty();
