// Includes every non-template implementation file (impl/*.ipp) of the
// etcd3 module. Compiled once, by lib/etcd3.cpp.
#pragma once
#include <pgwarden/dcs/etcd3/impl/client.ipp>
#include <pgwarden/dcs/etcd3/impl/config.ipp>
#include <pgwarden/dcs/etcd3/impl/error.ipp>
#include <pgwarden/dcs/etcd3/impl/wire.ipp>
