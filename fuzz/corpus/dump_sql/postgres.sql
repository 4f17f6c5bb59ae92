--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE FUNCTION f() RETURNS int AS $_$ SELECT 1; $_$ LANGUAGE sql;
INSERT INTO public.people (id, name) VALUES (1, 'C:\dir'), (2, E'a\tb'), (3, 'x'::text);
COPY public.people (id, name) FROM stdin;
4	Petrenko\N
\.
