.PHONY: demo test
demo:
	./run demo
test:
	./run test
