#!/bin/sh
# no services are started by package installs during the image build
exit 101
