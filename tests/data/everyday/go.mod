module example.com/everyday

go 1.22
