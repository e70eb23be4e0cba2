// Includes every non-template implementation file (impl/*.ipp) of the
// etcd3 module. Compiled once, by lib/etcd3.cpp.
#pragma once
