-- Citus refuses a distributed table with triggers, and location is distributed by tenant. Its one
-- trigger (V9's location_rezoned_venue_day) redid a venue's rollup days when its time zone changed;
-- captiva.statistics.VenueRezone now does the same in the transaction that changes the zone, and
-- every change of a location's time zone goes through it (the API has no other way to change one).
-- An operator who changes a time zone by hand in SQL must do what VenueRezone does as well.
DROP TRIGGER location_rezoned_venue_day ON location;
DROP FUNCTION venue_day_rezone();
