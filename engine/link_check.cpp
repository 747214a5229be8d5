// The program of each layer's link check (engine/CMakeLists.txt): it does nothing; linking it
// with all of a layer's objects proves the layer needs nothing beyond its declared dependencies.
int main() { return 0; }
