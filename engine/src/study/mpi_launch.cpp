#include <cstdlib>
#include <string>

#include "polarity/study/mpi_executor.hpp"

namespace polarity::study {

int mpi_launch_size() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return std::atoi(v);
    return 0;
}

}  // namespace polarity::study
