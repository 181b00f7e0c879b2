// A shared library with no Clearpost entry point.
extern "C" int some_other_library_function() { return 42; }
