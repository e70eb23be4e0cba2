// Includes every non-template implementation file (impl/*.ipp) of the
// ZooKeeper module. Compiled once, by lib/zookeeper.cpp.
#pragma once
#include <pgwarden/dcs/zookeeper/impl/error.ipp>
#include <pgwarden/dcs/zookeeper/impl/jute.ipp>
#include <pgwarden/dcs/zookeeper/impl/session.ipp>
#include <pgwarden/dcs/zookeeper/impl/store.ipp>
#include <pgwarden/dcs/zookeeper/impl/client.ipp>
