// Includes every non-template implementation file (impl/*.ipp) of the
// pg module. Compiled once, by lib/pg.cpp.
#pragma once
#include <pgwarden/pg/impl/error.ipp>
#include <pgwarden/pg/impl/sync_standby_names.ipp>
#include <pgwarden/pg/impl/controldata.ipp>
#include <pgwarden/pg/impl/settings.ipp>
#include <pgwarden/pg/impl/files.ipp>
#include <pgwarden/pg/impl/process.ipp>
#include <pgwarden/pg/libpq/impl/connection.ipp>
#include <pgwarden/pg/impl/slots.ipp>
#include <pgwarden/pg/impl/libpq_controller.ipp>
