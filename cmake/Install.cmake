# install/export rules: owned by the build engineer
