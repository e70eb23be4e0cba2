// The ZooKeeper shared by the cases of integration_zookeeper (started on
// first use, stopped by PID at exit).
#pragma once
#include "support/zookeeper.hpp"

#include <memory>

namespace pgwarden::test {

inline zookeeper_server& shared_zookeeper()
{
    static auto s = std::make_unique<zookeeper_server>();
    return *s;
}

} // namespace pgwarden::test
