# integration_failsafe tests apps/common/failsafe_client.hpp (the daemon's POST /failsafe sender)
# against real api::server instances on 127.0.0.1; it includes the apps/ headers.
target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/apps)
